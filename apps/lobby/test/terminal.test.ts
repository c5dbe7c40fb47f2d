import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { proxy, sequence } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { joinSlot } from '../src/client/bot.ts';
import { GameView } from '../src/client/game-view.ts';
import type { LobbyClient } from '../src/client/lobby-client.ts';
import type { IGameLauncher, LauncherEvent } from '../src/contracts.ts';
import type { Mark } from '../src/settings.ts';
import { TerminalClient } from '../src/terminal/terminal-client.ts';
import type { LineTone } from '../src/terminal/terminal-output.ts';
import { TerminalOutput, wantsColour } from '../src/terminal/terminal-output.ts';
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

  test('status never prints a hostile server’s escapes: game id and name, settings, slot names', async () => {
    const clear = '\u001b[2J';
    /** A server that does not clean what it sends: every string of its snapshot holds an escape. */
    class HostileLauncher {
      events() {
        const [events, writer] = sequence<LauncherEvent>();
        writer.write({
          kind: 'snapshot',
          lsn: 0,
          gameId: `g1${clear}`,
          gameName: `friday${clear}`,
          phase: 'open',
          settings: { rounds: 1, boardSize: 3, starters: [`X${clear}` as Mark] },
          slots: [{ slot: 0, role: 'X', name: `ada${clear}`, fingerprint: `f${clear}` }],
          chat: [],
        });
        return events;
      }
    }
    const launcher = proxy<IGameLauncher>(new HostileLauncher() as unknown as IGameLauncher);
    const lines: string[] = [];
    const client = { openGame: () => new GameView(launcher) } as unknown as LobbyClient;
    const terminal = new TerminalClient(client, 'ada', (line) => lines.push(line));
    try {
      await terminal.run('open g1');
      await terminal.run('status');
      expect(lines).toContain('game g1[2J "friday[2J" (open), lsn 0');
      expect(lines).toContain('settings: 1 round on 3×3, starters X[2J');
      expect(lines).toContain('  slot 0 (X): ada[2J');
      expect(lines.filter((line) => line.includes('\u001b'))).toEqual([]);
    } finally {
      terminal.dispose();
    }
  });

  test('a move on a taken cell says "cell 4 is taken"; one off the board names the range', async () => {
    const lobby = await startLobby(tcpCase);
    const lines: [string, LineTone | undefined][] = [];
    const terminal = new TerminalClient(await lobby.connect('ada'), 'ada', (line, tone) =>
      lines.push([line, tone]),
    );
    try {
      await terminal.run('create taken cells');
      await terminal.run('join 0');
      const bob = await lobby.connect('bob');
      const bobSeat = await joinSlot(bob.openGame(terminal.view!.gameId), 1, 'bob');
      await terminal.view!.until((view) => view.slots[1]?.name === 'bob');
      await terminal.run('launch');
      const bobPlayer = await bobSeat.launched;
      await eventually(() => terminal.player?.myTurn === true, 'ada’s turn');
      await terminal.run('move 4');
      await eventually(() => bobPlayer.myTurn, 'bob’s turn');
      await bobPlayer.move(0);
      await eventually(() => terminal.player?.myTurn === true, 'ada’s turn again');
      lines.length = 0;
      await terminal.run('move 4');
      await terminal.run('move 1 1');
      await terminal.run('move 9');
      expect(lines).toEqual([
        ['! GameError (bad-move): cell 4 is taken', 'error'],
        ['! GameError (bad-move): cell 4 is taken', 'error'],
        ['! GameError (bad-move): expected a cell from 0 to 8, got 9', 'error'],
      ]);
      bobPlayer[Symbol.dispose]();
    } finally {
      terminal.dispose();
    }
  });

  test('Ctrl-C (SIGINT) closes the client’s scope: it exits 0 and the server sees the session end', async () => {
    const lobby = await startLobby(tcpCase);
    // The `bin` shim, run as `msc-lobby-client` runs: the SIGINT goes to the shim alone, which
    // forwards it to the node running the client.
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../bin/msc-lobby-client.js', import.meta.url)),
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
      // Output to a pipe is plain: no colour, no prompt redraw.
      child.stdin.write('move 4\n');
      await eventually(() => output.includes('expected a running game'), 'the command answered');
      expect(output).toContain('! Error: expected a running game (launch first)');
      expect(output).not.toContain('\u001b');
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

describe('the terminal client’s output', () => {
  /** A stream that says it is a terminal and keeps what is written to it. */
  const fakeTerminal = () => {
    const written: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written.push(chunk.toString());
          done();
        },
      }),
      { isTTY: true, columns: 80 },
    );
    return { stream, written };
  };

  test('a line printed while the player types goes above the prompt, which is redrawn with the typed text', async () => {
    const { stream, written } = fakeTerminal();
    const input = new PassThrough();
    const prompt = createInterface({ input, output: stream, prompt: '> ', terminal: true });
    try {
      const output = new TerminalOutput(stream, false);
      output.attach(prompt);
      prompt.prompt();
      input.write('move 4');
      await new Promise((resolve) => setImmediate(resolve));
      expect(prompt.line).toBe('move 4');
      written.length = 0;
      output.print('bob: hi ada', 'chat');
      const text = written.join('');
      // Clear the prompt's row, go to its first column, print the line, redraw prompt and typing.
      expect(text.startsWith('\u001b[2K\u001b[1Gbob: hi ada\n')).toBe(true);
      expect(text.slice('\u001b[2K\u001b[1Gbob: hi ada\n'.length)).toContain('> move 4');
      expect(prompt.line).toBe('move 4');
      expect(prompt.cursor).toBe('move 4'.length);
      // Detached (the client is stopping): plain lines, no prompt.
      output.detach();
      written.length = 0;
      output.print('bye');
      expect(written.join('')).toBe('bye\n');
    } finally {
      prompt.close();
    }
  });

  test('colour by tone on a terminal, unless NO_COLOR is set; never on a pipe', () => {
    const { stream, written } = fakeTerminal();
    const output = new TerminalOutput(stream, true);
    output.print('! GameError (bad-move): cell 4 is taken', 'error');
    output.print('your move (X): move <cell> or move <row> <col>', 'turn');
    output.print('ada set rounds to 2');
    expect(written).toEqual([
      '\u001b[31m! GameError (bad-move): cell 4 is taken\u001b[39m\n',
      '\u001b[1m\u001b[33myour move (X): move <cell> or move <row> <col>\u001b[39m\u001b[22m\n',
      'ada set rounds to 2\n',
    ]);
    expect(wantsColour(stream, {})).toBe(true);
    expect(wantsColour(stream, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(stream, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour(new PassThrough(), {})).toBe(false);
  });
});
