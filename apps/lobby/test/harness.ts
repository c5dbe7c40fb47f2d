import { Identity } from '@msc/identity';
import type { Transport } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { afterEach } from 'vitest';
import { type BotSeat, joinSlot, launchWhenSeen } from '../src/client/bot.ts';
import type { GameView } from '../src/client/game-view.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { PlayerView } from '../src/client/player-view.ts';
import type { GameHost } from '../src/game-host.ts';
import type { LobbyLimits } from '../src/lobby-limits.ts';
import { LobbyServer } from '../src/lobby-server.ts';

/** A transport the end-to-end tests run over, and the address a server listens on. */
export interface TransportCase {
  readonly name: string;
  readonly transport: () => Transport;
  readonly listenAddress: string;
}

/** The real transports every end-to-end scenario runs over (loopback only). */
export const transportCases: readonly TransportCase[] = [
  { name: 'tcp', transport: () => tcp(), listenAddress: 'tcp:127.0.0.1:0' },
  { name: 'websocket', transport: () => ws(), listenAddress: 'ws://127.0.0.1:0/msc' },
];

/** A running lobby for one test: closed (with every client it made) after the test. */
export interface TestLobby {
  readonly server: LobbyServer;
  readonly address: string;
  readonly log: string[];
  /** A new player with a fresh identity named `name`. */
  connect(name: string): Promise<LobbyClient>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup();
});

/** Starts a lobby server over `transportCase`; it and its clients are closed after the test. */
export async function startLobby(
  transportCase: TransportCase,
  gameHost?: GameHost,
  lobbyLimits?: Partial<LobbyLimits>,
): Promise<TestLobby> {
  const log: string[] = [];
  const transport = transportCase.transport();
  const server = new LobbyServer({
    identity: await Identity.generate({ name: 'lobby' }),
    log: (line) => log.push(line),
    ...(gameHost !== undefined ? { gameHost } : {}),
    ...(lobbyLimits !== undefined ? { lobbyLimits } : {}),
  });
  cleanups.push(() => server.close());
  const address = await server.listen(transport, transportCase.listenAddress);
  return {
    server,
    address,
    log,
    async connect(name: string) {
      const identity = await Identity.generate({ name });
      const client = LobbyClient.connect({ identity, transport: transportCase.transport(), address });
      cleanups.push(() => client.close());
      return client;
    },
  };
}

/** Two players seated (X by `x`, O by `o`) in a new game, not launched. */
export async function seatedGame(
  lobby: TestLobby,
  names: readonly [string, string] = ['ada', 'bob'],
): Promise<{
  readonly views: [GameView, GameView];
  readonly seats: [BotSeat, BotSeat];
  readonly clients: [LobbyClient, LobbyClient];
}> {
  const [x, o] = await Promise.all([lobby.connect(names[0]), lobby.connect(names[1])]);
  const xView = x.createGame(`${names[0]} vs ${names[1]}`);
  await xView.until((view) => view.lsn >= 0);
  const xSeat = await joinSlot(xView, 0, names[0]);
  const oView = o.openGame(xView.gameId);
  const oSeat = await joinSlot(oView, 1, names[1]);
  await xView.until((view) => view.slots[1]?.name === names[1]);
  await oView.until((view) => view.lsn === xView.lsn);
  return { views: [xView, oView], seats: [xSeat, oSeat], clients: [x, o] };
}

/** Seats two players, launches, and returns both seats' views once the server launched them. */
export async function launchedGame(lobby: TestLobby, names: readonly [string, string] = ['ada', 'bob']) {
  const game = await seatedGame(lobby, names);
  await launchWhenSeen(game.views[0]);
  const players: [PlayerView, PlayerView] = await Promise.all([
    game.seats[0].launched,
    game.seats[1].launched,
  ]);
  return { ...game, players };
}

/** Waits (bounded) until `condition` holds, polling every 10 ms. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
