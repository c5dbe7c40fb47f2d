/*
 * The lobby server of the soak, run by `lobbySoak` in a process of its own so that its heap is the
 * server's alone. Usage: `soak-server.ts <sample milliseconds>`.
 *
 * Runs a LobbyServer (games in worker SIPs) listening on TCP and WebSocket on 127.0.0.1, prints
 * `tcp <address>` and `ws <address>`, then every <sample milliseconds> collects garbage and prints
 * `sample <json>` (time since start, heap used, external, RSS, sessions, open and running games).
 * Commands on stdin:
 *   crash <game id>      the game's SIP throws an uncaught error (IGameSession.crash)
 *   terminate <game id>  the game's SIP is terminated from outside
 *   report               print `report <json>`: what the lobby logged, counted
 *   quit                 close the server (every session, game and SIP) and exit
 * A command for a game that is not running (any more) is counted as missed.
 */
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { LobbyServer, sipGameHost } from '@msc/lobby/server';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { onCommandLines } from '../child-commands.ts';

const sampleMilliseconds = Number(parseArgs({ allowPositionals: true }).positionals[0] ?? 5_000);
const counts = {
  connected: 0,
  disconnected: 0,
  created: 0,
  launched: 0,
  finished: 0,
  failed: 0,
  crashed: 0,
  notStarted: 0,
  crashCommands: 0,
  terminateCommands: 0,
  missedCommands: 0,
};
// The lobby reports what happens as log lines (lobby.ts, lobby-server.ts): counting them needs no hook.
const patterns: [RegExp, keyof typeof counts][] = [
  [/ connected over /, 'connected'],
  [/ disconnected \(/, 'disconnected'],
  [/ created game g\d+ /, 'created'],
  [/^game g\d+ .* launched in /, 'launched'],
  [/^game g\d+ ended: /, 'finished'],
  [/^game g\d+ failed: /, 'failed'],
  [/^game g\d+ crashed: /, 'crashed'],
  [/^game g\d+ could not start: /, 'notStarted'],
];
const server = new LobbyServer({
  identity: await Identity.generate({ name: 'soak lobby' }),
  gameHost: sipGameHost({ kind: 'worker' }),
  // The soak's bots play a round every fraction of a second, each joining, sometimes leaving and
  // joining again, and chatting: faster than the per-key rate a person is held to (10 actions a
  // second, a join counting 2). The soak is about churn and what stays behind, not about rates.
  lobbyLimits: { playerActionsPerSecond: 200, playerActionBurst: 200 },
  log: (line) => {
    for (const [pattern, key] of patterns) if (pattern.test(line)) counts[key]++;
  },
});
const tcpAddress = await server.listen(tcp(), 'tcp:127.0.0.1:0');
const wsAddress = await server.listen(ws(), 'ws://127.0.0.1:0/lobby');
console.log(`tcp ${tcpAddress}`);
console.log(`ws ${wsAddress}`);

const started = performance.now();
const collect = globalThis.gc ?? (() => {});
const sample = () => {
  collect();
  const memory = process.memoryUsage();
  console.log(
    `sample ${JSON.stringify({
      milliseconds: Math.round(performance.now() - started),
      heapUsed: memory.heapUsed,
      external: memory.external,
      rss: memory.rss,
      sessions: server.sessions.length,
      openGames: server.lobby.openGames.length,
      runningGames: server.lobby.runningGames.length,
    })}`,
  );
};
const sampler = setInterval(sample, sampleMilliseconds);
sample();

const running = (id: string) => server.lobby.runningGames.find((game) => game.id === id);
onCommandLines((line) => {
  const [command = '', argument = ''] = line.split(' ');
  if (command === 'crash' || command === 'terminate') {
    const game = running(argument);
    if (game === undefined) {
      counts.missedCommands++;
    } else if (command === 'crash') {
      counts.crashCommands++;
      // The SIP dies of it, so the call itself fails: that is the point.
      game.hosted.root.crash('the soak crashed this game').catch(() => {});
    } else {
      counts.terminateCommands++;
      void game.hosted.stop('stopped', 'the soak terminated this game SIP');
    }
  } else if (command === 'report') {
    console.log(
      `report ${JSON.stringify({ ...counts, sessions: server.sessions.length, runningGames: server.lobby.runningGames.length })}`,
    );
  } else if (command === 'quit') {
    clearInterval(sampler);
    void server.close().then(() => process.exit(0));
  }
});
