import { Identity } from '@msc/identity';
import { joinSlot, launchWhenSeen, playToEnd } from '@msc/lobby/bots';
import { type GameOutcome, LobbyClient } from '@msc/lobby/client';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { linearSlope } from '../linear-slope.ts';
import { type NodeChild, spawnNodeChild } from '../node-child.ts';
import { SeededRandom } from '../seeded-random.ts';
import { settledWithin } from '../within.ts';
import { AbortableTransport } from './abortable-transport.ts';

/** Options of {@link lobbySoak}. */
export interface LobbySoakOptions {
  /** How long the churn runs, in minutes (the report: 10; tests: about 0.3). */
  readonly minutes: number;
  /** Tables playing at the same time (each a loop of rounds of 4 bots). Default: 4. */
  readonly tables?: number;
  /** How often the server samples its heap (after a garbage collection), in milliseconds. Default: 5,000. */
  readonly sampleMilliseconds?: number;
  /** Seeds the choice of each round's fate. Default: 1. */
  readonly seed?: number;
}

/** One heap sample of the server process (after a garbage collection). */
export interface SoakSample {
  /** Minutes since the server started sampling. */
  readonly minutes: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
  readonly sessions: number;
  readonly openGames: number;
  readonly runningGames: number;
}

/** What the lobby server logged during the soak, counted (see `soak-server.ts`). */
export interface SoakServerCounts {
  readonly connected: number;
  readonly disconnected: number;
  readonly created: number;
  readonly launched: number;
  /** Matches that ended (normally or by a forfeit). */
  readonly finished: number;
  /** Matches whose game session ended before the match did (crashed or terminated SIPs). */
  readonly failed: number;
  /** Game SIPs that died of an error (the crash commands). */
  readonly crashed: number;
  readonly notStarted: number;
  readonly crashCommands: number;
  readonly terminateCommands: number;
  /** Crash or terminate commands that came after the game had already ended. */
  readonly missedCommands: number;
  readonly sessions: number;
  readonly runningGames: number;
}

/** What a soak run measured. */
export interface LobbySoakFigures {
  readonly minutes: number;
  readonly tables: number;
  readonly sampleMilliseconds: number;
  /** Samples before this many minutes are the warm-up, left out of the slopes. */
  readonly warmupMinutes: number;
  readonly samples: readonly SoakSample[];
  /** Least-squares slopes over the samples after the warm-up, in bytes per minute. */
  readonly heapSlopeBytesPerMinute: number;
  readonly heapAndExternalSlopeBytesPerMinute: number;
  readonly rssSlopeBytesPerMinute: number;
  /** Heap used: lowest and highest after the warm-up, and once every player had left (idle server). */
  readonly heapMinAfterWarmup: number;
  readonly heapMaxAfterWarmup: number;
  readonly heapIdleAtEnd: number;
  /** Sessions and running games on the server once every player had left (both should be 0). */
  readonly sessionsAtEnd: number;
  readonly runningGamesAtEnd: number;
  /** The bots' side. */
  readonly rounds: number;
  readonly joins: number;
  readonly leaves: number;
  readonly chats: number;
  readonly launches: number;
  /** Rounds whose match the players saw end (`game-ended`), and rounds whose players saw it fail (crash, termination). */
  readonly gamesEnded: number;
  readonly gamesFailed: number;
  /** Fates injected: crash commands, SIP terminations, players whose connection was cut mid-game. */
  readonly crashesInjected: number;
  readonly terminationsInjected: number;
  readonly abruptDisconnects: number;
  /** Unexpected failures of rounds, by message. */
  readonly failures: Readonly<Record<string, number>>;
  readonly server: SoakServerCounts;
}

type Fate = 'play' | 'crash' | 'terminate' | 'disconnect';

const serverScript = new URL('./soak-server.ts', import.meta.url);
const roundTimeoutMs = 60_000;

/**
 * Churns one lobby server process (games in worker SIPs, TCP and WebSocket on 127.0.0.1) for `minutes`:
 * `tables` loops of rounds, each round 4 fresh sessions of bots (every other round over WebSocket) that
 * create a game, open it, join, sometimes leave and join again, chat, launch and play. A round's fate is
 * seeded: most play to the end; some games crash (an uncaught error in their SIP), some SIPs are
 * terminated from outside, and in some a player's connection is cut without a goodbye mid-game. Every
 * round ends by closing its clients. The server samples its heap every few seconds after a garbage
 * collection; the slopes are least-squares fits over the samples after a warm-up (a fifth of the run,
 * at most two minutes).
 *
 * Bounded: each round gives up after 60 s, the run stops at its deadline plus the rounds in flight,
 * and the server process is closed (or killed) before this resolves.
 *
 * @throws Error when the server process fails to start or report
 */
export async function lobbySoak(options: LobbySoakOptions): Promise<LobbySoakFigures> {
  const tables = options.tables ?? 4;
  const sampleMilliseconds = options.sampleMilliseconds ?? 5_000;
  const durationMs = options.minutes * 60_000;
  const random = new SeededRandom(options.seed ?? 1);
  const samples: SoakSample[] = [];
  const server: NodeChild = spawnNodeChild(serverScript, [String(sampleMilliseconds)], {
    onStdout: (line) => {
      if (!line.startsWith('sample ')) return false;
      const raw = JSON.parse(line.slice('sample '.length)) as Omit<SoakSample, 'minutes'> & {
        milliseconds: number;
      };
      const { milliseconds, ...rest } = raw;
      samples.push({ minutes: milliseconds / 60_000, ...rest });
      return true;
    },
  });
  const counters = {
    rounds: 0,
    joins: 0,
    leaves: 0,
    chats: 0,
    launches: 0,
    gamesEnded: 0,
    gamesFailed: 0,
    crashesInjected: 0,
    terminationsInjected: 0,
    abruptDisconnects: 0,
  };
  const failures: Record<string, number> = {};
  const fail = (error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 160) : String(error);
    failures[message] = (failures[message] ?? 0) + 1;
  };

  try {
    const addresses = {
      tcp: await server.line('tcp', 60_000),
      ws: await server.line('ws', 60_000),
    };
    const identities = await Promise.all(
      Array.from({ length: tables * 4 }, (_, index) => Identity.generate({ name: `soak${index}` })),
    );
    const start = performance.now();
    const deadline = start + durationMs;

    const playRound = async (table: number, round: number) => {
      const kind = round % 2 === 0 ? 'tcp' : 'ws';
      const fate: Fate = random.pick([
        'play',
        'play',
        'play',
        'play',
        'play',
        'crash',
        'crash',
        'terminate',
        'disconnect',
        'disconnect',
      ]);
      const rejoin = random.chance(0.3);
      const transports = Array.from(
        { length: 4 },
        () => new AbortableTransport(kind === 'tcp' ? tcp() : ws()),
      );
      const clients = transports.map((transport, seat) =>
        LobbyClient.connect({
          identity: identities[table * 4 + seat] as Identity,
          transport,
          address: addresses[kind],
        }),
      );
      const work = (async () => {
        const [hostClient, ...otherClients] = clients as [LobbyClient, ...LobbyClient[]];
        const host = hostClient.createGame(`soak ${table}.${round}`);
        await host.until((view) => view.lsn >= 0, 30_000);
        const views = [host, ...otherClients.map((client) => client.openGame(host.gameId))];
        // A view stamps what it sends with the latest LSN it saw: wait for every snapshot first.
        await Promise.all(views.map((view) => view.until((current) => current.lsn >= 0, 30_000)));
        const seats = await Promise.all(views.map((view, slot) => joinSlot(view, slot, `t${table}s${slot}`)));
        counters.joins += 4;
        if (rejoin) {
          // A spectator gives its slot up and takes it again: the launcher sees `left` then `joined`.
          const spectator = seats[3];
          await spectator?.membership.leave();
          spectator?.membership[Symbol.dispose]();
          counters.leaves++;
          seats[3] = await joinSlot(views[3] as (typeof views)[number], 3, `t${table}s3`);
          counters.joins++;
        }
        await Promise.all(views.map((view, slot) => view.say(`round ${round}, seat ${slot}: gl hf`)));
        counters.chats += 4;
        await launchWhenSeen(host, 20);
        counters.launches++;
        const players = await Promise.all(seats.map((seat) => seat.launched));
        const outcomes: Promise<GameOutcome>[] = players.map((player, index) =>
          playToEnd(player, round + index),
        );
        if (fate !== 'play') {
          await new Promise((resolve) => setTimeout(resolve, random.between(10, 150)));
          if (fate === 'crash') {
            server.send(`crash ${host.gameId}`);
            counters.crashesInjected++;
          } else if (fate === 'terminate') {
            server.send(`terminate ${host.gameId}`);
            counters.terminationsInjected++;
          } else {
            counters.abruptDisconnects += transports[1]?.abort() ?? 0;
          }
        }
        const results = await Promise.all(outcomes);
        // Judged by X's seat: O's own stream fails when O's connection is the one cut.
        if (results[0]?.kind === 'ended') counters.gamesEnded++;
        else counters.gamesFailed++;
        for (const player of players) player[Symbol.dispose]();
      })();
      if (!(await settledWithin(work, roundTimeoutMs)))
        fail(new Error(`a round did not finish within ${roundTimeoutMs} ms`));
      await work.catch(fail);
      await Promise.allSettled(clients.map((client) => client.close('the round is over')));
      counters.rounds++;
    };

    await Promise.all(
      Array.from({ length: tables }, async (_, table) => {
        for (let round = 0; performance.now() < deadline; round++) await playRound(table, round);
      }),
    );

    // Every player has left: let the server notice the last departures and settle, then take an idle sample.
    const idleSince = samples.length;
    await settledWithin(
      (async () => {
        while (samples.length < idleSince + 2) await new Promise((resolve) => setTimeout(resolve, 100));
      })(),
      sampleMilliseconds * 3,
    );
    server.send('report');
    const counts = JSON.parse(await server.line('report', 30_000)) as SoakServerCounts;
    server.send('quit');

    const warmupMinutes = Math.min(2, options.minutes / 5);
    const churnSamples = samples.filter(
      (sample) => sample.minutes >= warmupMinutes && sample.minutes <= options.minutes,
    );
    const slope = (value: (sample: SoakSample) => number) =>
      linearSlope(churnSamples.map((sample) => ({ x: sample.minutes, y: value(sample) })));
    const idle = samples[samples.length - 1];
    return {
      minutes: options.minutes,
      tables,
      sampleMilliseconds,
      warmupMinutes,
      samples,
      heapSlopeBytesPerMinute: slope((sample) => sample.heapUsed),
      heapAndExternalSlopeBytesPerMinute: slope((sample) => sample.heapUsed + sample.external),
      rssSlopeBytesPerMinute: slope((sample) => sample.rss),
      heapMinAfterWarmup: Math.min(...churnSamples.map((sample) => sample.heapUsed)),
      heapMaxAfterWarmup: Math.max(...churnSamples.map((sample) => sample.heapUsed)),
      heapIdleAtEnd: idle?.heapUsed ?? Number.NaN,
      sessionsAtEnd: idle?.sessions ?? Number.NaN,
      runningGamesAtEnd: idle?.runningGames ?? Number.NaN,
      ...counters,
      failures,
      server: counts,
    };
  } finally {
    server.send('quit');
    if (!(await settledWithin(server.exited, 20_000))) server.kill();
    await server.exited;
  }
}
