/*
 * The server half of the scale check (run by bench/scale.ts in a process of its own, so its memory
 * is measured alone). Prints `address <tcp address>` once listening, samples its memory every
 * 100 ms, and answers `report` on stdin with one JSON line.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import type { GameHost } from '../src/game-host.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';

const { values } = parseArgs({ options: { 'game-host': { type: 'string', default: 'in-process' } } });
const kind = values['game-host'];
const gameHost: GameHost =
  kind === 'in-process'
    ? inProcessGameHost()
    : sipGameHost({ kind: kind === 'process' ? 'process' : 'worker' });
const server = new LobbyServer({ identity: await Identity.generate({ name: 'lobby' }), gameHost });
const address = await server.listen(tcp(), 'tcp:127.0.0.1:0');

let peakRss = 0;
let peakHeap = 0;
let peakSessions = 0;
let peakRunning = 0;
const sample = () => {
  const memory = process.memoryUsage();
  peakRss = Math.max(peakRss, memory.rss);
  peakHeap = Math.max(peakHeap, memory.heapUsed);
  peakSessions = Math.max(peakSessions, server.sessions.length);
  peakRunning = Math.max(peakRunning, server.lobby.runningGames.length);
};
setInterval(sample, 100).unref();
const baseline = process.memoryUsage().rss;
console.log(`address ${address}`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'report') {
    sample();
    const memory = process.memoryUsage();
    console.log(
      `report ${JSON.stringify({
        gameHost: gameHost.kind,
        baselineRssMb: baseline / 2 ** 20,
        peakRssMb: peakRss / 2 ** 20,
        peakHeapMb: peakHeap / 2 ** 20,
        rssMb: memory.rss / 2 ** 20,
        peakSessions,
        peakRunningGames: peakRunning,
        sessions: server.sessions.length,
      })}`,
    );
  } else if (line.trim() === 'quit') {
    void server.close().then(() => process.exit(0));
  }
});
