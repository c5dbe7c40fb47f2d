import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { joinSlot } from '../src/client/bot.ts';
import { TerminalClient } from '../src/terminal/terminal-client.ts';
import { eventually, startLobby, transportCases } from './harness.ts';

const tcpCase = transportCases.find((candidate) => candidate.name === 'tcp')!;

describe('the terminal client', () => {
  test('creates, joins, chats, changes settings, launches and resigns through commands', async () => {
    const lobby = await startLobby(tcpCase);
    const lines: string[] = [];
    const terminal = new TerminalClient(await lobby.connect('ada'), 'ada', (line) => lines.push(line));
    try {
      await terminal.run('create typed game');
      await terminal.run('join 0');
      const bob = await lobby.connect('bob');
      const bobView = bob.openGame(terminal.view!.gameId);
      const bobSeat = await joinSlot(bobView, 1, 'bob');
      await terminal.view!.until((view) => view.slots[1]?.name === 'bob');
      await terminal.run('say hi bob');
      await terminal.run('rounds 2');
      await terminal.run('starter 3 O');
      await terminal.run('status');
      await terminal.run('launch');
      await bobSeat.launched;
      await eventually(() => terminal.player !== undefined, 'the game started');
      await terminal.run('resign');
      const outcome = await terminal.player!.outcome;
      expect(outcome).toMatchObject({ kind: 'ended', event: { reason: 'resigned', winner: 'O' } });
      const text = lines.join('\n');
      expect(text).toContain('ada: hi bob');
      expect(text).toContain('ada set rounds to 2');
      expect(text).toContain(
        '! LobbyError (invalid-settings): expected round to be an integer from 1 to 2, got 3',
      );
      expect(text).toContain('slot 1 (O): bob');
      expect(text).toContain('ada launched the game');
      expect(text).toContain('the game started: you play X');
      expect(text).toContain('game over: ada (X) resigned; bob (O) wins');
      expect(await terminal.run('quit')).toBe(false);
    } finally {
      terminal.dispose();
    }
  });

  test('list shows a page of games, list more the next one; escapes in names never reach the terminal', async () => {
    const lobby = await startLobby(tcpCase, undefined, { defaultPageSize: 2 });
    const creator = await lobby.connect('carol');
    const views = ['one', 'two', 'three\u001b[2J'].map((name) => creator.createGame(name));
    for (const view of views) await view.until((current) => current.lsn >= 0);
    const lines: string[] = [];
    const terminal = new TerminalClient(await lobby.connect('ada'), 'ada', (line) => lines.push(line));
    try {
      await terminal.run('list');
      expect(lines.filter((line) => line.startsWith('g'))).toHaveLength(2);
      expect(lines.at(-1)).toBe("more games: type 'list more'");
      lines.length = 0;
      await terminal.run('list more');
      expect(lines).toEqual(['g3  "three[2J" by carol: 1 round on 3×3, starters X; free slots 0, 1, 2, 3']);
      await terminal.run('open g1');
      await terminal.run('rounds -Infinity');
      expect(lines.at(-1)).toMatch(/^! ArgumentError \(invalid-arguments\): .*got -Infinity/);
      expect(lines.join('\n')).not.toContain('\u001b');
    } finally {
      terminal.dispose();
    }
  });

  test('Ctrl-C (SIGINT) closes the client’s scope: it exits 0 and the server sees the session end', async () => {
    const lobby = await startLobby(tcpCase);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@msc/source',
        fileURLToPath(new URL('../bin/lobby-client.ts', import.meta.url)),
        '--server',
        lobby.address,
        '--name',
        'quitter',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await eventually(() => output.includes("type 'help'"), 'the client connected', 15_000);
      expect(lobby.server.sessions).toHaveLength(1);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await eventually(() => lobby.server.sessions.length === 0, 'the server saw the session end');
      expect(
        lobby.log.some(
          (line) => line.startsWith('quitter') && line.includes('disconnected (the player left)'),
        ),
      ).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
