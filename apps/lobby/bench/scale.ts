/*
 * Scale check (not run by tests): N bot players in N/4 games against one lobby server on loopback.
 *
 *   pnpm --filter @msc/lobby bench:scale -- [--players 1000] [--game-host in-process|worker|process]
 *
 * The server runs in a child process (so its memory is its own); the bots run here, each with its own
 * identity and its own TCP session. Every game has 4 bots: X creates it, O and two spectators open it
 * by id and join; everyone chats once; X sets 3 rounds and launches; X and O play to the end while the
 * spectators watch. Reports the phases' durations, the calls made (and calls/s) and the server's memory.
 * Bounded: gives up after 240 s.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';

const { values } = parseArgs({
  options: {
    players: { type: 'string', default: '1000' },
    'game-host': { type: 'string', default: 'in-process' },
  },
});
const players = Math.max(4, Math.floor(Number(values.players) / 4) * 4);
const games = players / 4;
const deadline = setTimeout(() => {
  console.error('the scale check did not finish within 240 s');
  process.exit(1);
}, 240_000);
deadline.unref();

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--conditions=@msc/source',
    fileURLToPath(new URL('./scale-server.ts', import.meta.url)),
    '--game-host',
    values['game-host'],
  ],
  { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout });
const nextLine = (prefix: string) =>
  new Promise<string>((resolve) => {
    const onLine = (line: string) => {
      if (!line.startsWith(prefix)) return;
      lines.off('line', onLine);
      resolve(line.slice(prefix.length).trim());
    };
    lines.on('line', onLine);
  });
const address = await nextLine('address');
const report = async () => {
  const pending = nextLine('report');
  child.stdin.write('report\n');
  return JSON.parse(await pending) as Record<string, number | string>;
};

let calls = 0;
let moves = 0;
const elapsed = (since: number) => (performance.now() - since) / 1000;
console.log(
  `scale check: ${players} bot players in ${games} games, server at ${address} (${values['game-host']} game host), ${(await import('node:os')).cpus().length} cores`,
);

// Phase 1: identities and sessions.
let started = performance.now();
const identities = await Promise.all(
  Array.from({ length: players }, (_, index) => Identity.generate({ name: `bot${index}` })),
);
const clients = identities.map((identity) => LobbyClient.connect({ identity, transport: tcp(), address }));
await Promise.all(clients.map((client) => client.lobby.whoAmI()));
calls += players;
const connectSeconds = elapsed(started);
const afterConnect = await report();
console.log(
  `connected ${players} authenticated sessions in ${connectSeconds.toFixed(1)} s; server RSS ${Number(afterConnect['rssMb']).toFixed(0)} MiB`,
);

// Phase 2: lobby (create, open, join, chat, settings, launch).
started = performance.now();
const outcomes = await Promise.all(
  Array.from({ length: games }, async (_, game) => {
    const [host, ...others] = clients.slice(game * 4, game * 4 + 4) as [LobbyClient, ...LobbyClient[]];
    const hostView = host.createGame(`game ${game}`);
    await hostView.until((view) => view.lsn >= 0, 120_000);
    const hostSeat = await joinSlot(hostView, 0, `host${game}`);
    calls += 3; // createGame, events, tryJoin
    const otherViews = others.map((client) => client.openGame(hostView.gameId));
    const otherSeats = await Promise.all(
      otherViews.map((view, index) => joinSlot(view, index + 1, `p${game}-${index + 1}`)),
    );
    calls += 3 * others.length;
    await Promise.all(otherViews.map((view) => view.until((current) => current.lsn >= 4, 120_000)));
    await Promise.all([hostView, ...otherViews].map((view, index) => view.say(`gl hf from ${index}`)));
    calls += 4;
    await hostView.change({ kind: 'rounds', rounds: 3 });
    calls += 1;
    await hostView.until((view) => view.lsn >= 9, 120_000);
    await launchWhenSeen(hostView, 20);
    calls += 1; // tryLaunch (a retry after a stale LSN is not counted)
    const seats = await Promise.all([hostSeat, ...otherSeats].map((seat) => seat.launched));
    calls += seats.length * 2; // launch (server → client), events
    const lobbyDone = performance.now();
    for (const seat of seats) {
      seat.onEvent((event) => {
        // Each move counted once, by the seat that made it.
        if (event.kind === 'moved' && event.mark === seat.info.role) moves++;
      });
    }
    const results = await Promise.all(seats.map((seat, index) => playToEnd(seat, game + index)));
    for (const seat of seats) seat[Symbol.dispose]();
    return { lobbyDone, results };
  }),
);
const totalSeconds = elapsed(started);
const lobbySeconds = Math.max(...outcomes.map((outcome) => outcome.lobbyDone - started)) / 1000;
let ended = 0;
const failures = new Map<string, number>();
for (const { results } of outcomes) {
  const final = results.find((result) => result.kind === 'ended');
  if (final?.kind === 'ended') ended++;
  else {
    const error = results.find((result) => result.kind === 'failed');
    const message =
      error?.kind === 'failed'
        ? String((error.error as Error)?.message ?? error.error).slice(0, 160)
        : 'unknown';
    failures.set(message, (failures.get(message) ?? 0) + 1);
  }
}
const serverReport = await report();
child.stdin.write('quit\n');
await Promise.all(clients.map((client) => client.close()));

const gameCalls = calls + moves;
console.log(
  JSON.stringify(
    {
      players,
      games,
      gamesEnded: ended,
      ...(failures.size > 0 ? { failures: Object.fromEntries(failures) } : {}),
      connectSeconds: round(connectSeconds),
      lobbyPhaseSeconds: round(lobbySeconds),
      lobbyAndGamesSeconds: round(totalSeconds),
      callsAfterConnect: gameCalls - players,
      moves,
      callsPerSecond: round((gameCalls - players) / totalSeconds),
      server: Object.fromEntries(
        Object.entries(serverReport).map(([key, value]) => [
          key,
          typeof value === 'number' ? round(value) : value,
        ]),
      ),
    },
    null,
    2,
  ),
);
process.exit(ended === games ? 0 : 1);

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
