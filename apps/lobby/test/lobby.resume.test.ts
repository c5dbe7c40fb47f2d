import { Identity } from '@msc/identity';
import type { ResumeEvent } from '@msc/session';
import type { Connection, Transport } from '@msc/transport';
import { afterEach, describe, expect, test } from 'vitest';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { PlayerView } from '../src/client/player-view.ts';
import type { GameEvent } from '../src/contracts.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { eventually, transportCases } from './harness.ts';

/**
 * A player whose connection is cut mid-game and comes back within the window keeps its seat and
 * sees what it missed (docs/resumption.md); the other seats see it reconnecting, then reconnected,
 * and the server's log says so too. Past the window the seat forfeits as it always did. Over TCP and
 * WebSocket. The cut is the client's socket aborted under it (both ends see the connection drop, no
 * session message): a proxy in between would be refused by the identity handshake, which binds the
 * connection's addresses (a relay).
 */

/** `transport`, whose dialed connections the test can cut (abort under the session) and refuse to redial. */
function cuttable(transport: Transport) {
  const connections: Connection[] = [];
  let refusing = false;
  return {
    transport: {
      name: transport.name,
      listen: transport.listen.bind(transport),
      async dial(address, options) {
        if (refusing) throw new Error('the network is down');
        const connection = await transport.dial(address, options);
        connections.push(connection);
        return connection;
      },
    } satisfies Transport,
    cut: () => connections.at(-1)?.abort(new Error('the network dropped')),
    refuse: (value: boolean) => {
      refusing = value;
    },
  };
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type ConnectionEvent = Extract<GameEvent, { kind: 'player-connection' }>;

/** One seat of the game a fixture started: its view, and the `player-connection` events it saw. */
interface TestSeat {
  readonly player: PlayerView;
  readonly connectionEvents: ConnectionEvent[];
  /** Every game event's kind (and state, for connection events), in order. */
  readonly kinds: string[];
}

/**
 * A resumable lobby (over `transportCase`, with `graceMs` on both sides) and a launched game in it:
 * ada plays X, bob plays O over a connection the test can cut, carol watches. Everything is closed
 * after the test.
 */
async function startedGame(transportCase: (typeof transportCases)[number], graceMs: number) {
  const log: string[] = [];
  const server = new LobbyServer({
    identity: await Identity.generate({ name: 'lobby' }),
    log: (line) => log.push(line),
    resume: { graceMs },
  });
  cleanups.push(() => server.close());
  const address = await server.listen(transportCase.transport(), transportCase.listenAddress);
  const relay = cuttable(transportCase.transport());
  const resumeEvents: ResumeEvent[] = [];
  const connect = async (name: string) => {
    const client = LobbyClient.connect({
      identity: await Identity.generate({ name }),
      transport: name === 'bob' ? relay.transport : transportCase.transport(),
      address,
      resume: {
        graceMs,
        initialBackoffMs: 10,
        ...(name === 'bob' ? { onEvent: (event: ResumeEvent) => resumeEvents.push(event) } : {}),
      },
    });
    cleanups.push(() => client.close());
    await client.ready();
    return client;
  };
  const [ada, bob, carol] = await Promise.all([connect('ada'), connect('bob'), connect('carol')]);
  await eventually(() => bob.session?.resumption?.resumable === true, 'bob is resumable');
  const adaView = ada.createGame('blip');
  await adaView.until((view) => view.lsn >= 0);
  const joined = await Promise.all([
    joinSlot(adaView, 0, 'ada'),
    joinSlot(bob.openGame(adaView.gameId), 1, 'bob'),
    joinSlot(carol.openGame(adaView.gameId), 2, 'carol'),
  ]);
  await adaView.until((view) => view.slots[1]?.name === 'bob' && view.slots[2]?.name === 'carol');
  await launchWhenSeen(adaView);
  const players = await Promise.all(joined.map((seat) => seat.launched));
  const seats = players.map((player): TestSeat => {
    cleanups.push(() => player[Symbol.dispose]());
    const seat: TestSeat = { player, connectionEvents: [], kinds: [] };
    player.onEvent((event) => {
      seat.kinds.push(event.kind === 'player-connection' ? `${event.kind} ${event.state}` : event.kind);
      if (event.kind === 'player-connection') seat.connectionEvents.push(event);
    });
    return seat;
  });
  const [adaSeat, bobSeat, carolSeat] = seats as [TestSeat, TestSeat, TestSeat];
  return { server, log, relay, resumeEvents, bobClient: bob, ada: adaSeat, bob: bobSeat, carol: carolSeat };
}

const states = (seat: TestSeat) => seat.connectionEvents.map((event) => `${event.name} ${event.state}`);

describe.each(transportCases)('the lobby over $name with resumption', (transportCase) => {
  test('a player cut mid-game keeps its seat, sees the moves it missed, and the game is played to the end', async () => {
    const game = await startedGame(transportCase, 10_000);
    const { ada, bob } = game;
    // ada moves first (X); bob is cut as the move is on its way to him.
    await eventually(() => ada.player.myTurn && ada.player.board.length > 0, 'ada may move');
    await eventually(() => bob.player.board.length > 0, 'bob sees the board');
    const adaMoved = ada.player.move(ada.player.board.indexOf(null));
    game.relay.cut();
    await adaMoved;
    await eventually(() => game.resumeEvents.some((event) => event.type === 'resumed'), 'bob resumed');
    expect(game.log.some((line) => line.includes('bob') && line.includes('reconnecting'))).toBe(true);
    // bob saw ada's move (replayed), and both play on to the end: no forfeit.
    await eventually(() => bob.player.board.some((cell) => cell !== null), 'bob sees the move he missed');
    const [adaOutcome, bobOutcome] = await Promise.all([playToEnd(ada.player), playToEnd(bob.player, 1)]);
    expect(adaOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(bobOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(game.bobClient.session?.isTerminated).toBe(false);
  });

  test('the others see a cut player reconnecting within a second or so, then reconnected; the game goes on meanwhile', async () => {
    const game = await startedGame(transportCase, 10_000);
    const { ada, bob, carol } = game;
    await eventually(() => ada.player.myTurn && bob.player.board.length > 0, 'ada may move');
    // The network is down for bob: his connection drops and his redials fail until it is back.
    game.relay.refuse(true);
    const cutAt = performance.now();
    game.relay.cut();
    await eventually(
      () => ada.connectionEvents.length > 0 && carol.connectionEvents.length > 0,
      'ada and carol are told bob is reconnecting',
      3_000,
    );
    const toldAfterMs = performance.now() - cutAt;
    expect(toldAfterMs).toBeLessThan(3_000);
    for (const seat of [ada, carol]) {
      expect(seat.connectionEvents).toEqual([
        { kind: 'player-connection', slot: 1, role: 'O', name: 'bob', state: 'reconnecting' },
      ]);
      expect([...seat.player.reconnecting]).toEqual([1]);
    }
    // The game does not wait: ada moves while bob is away.
    const cell = ada.player.board.indexOf(null);
    await ada.player.move(cell);
    expect(bob.player.board[cell]).toBeNull();
    game.relay.refuse(false);
    await eventually(
      () => ada.connectionEvents.length === 2 && carol.connectionEvents.length === 2,
      'ada and carol are told bob is back',
    );
    for (const seat of [ada, carol]) {
      expect(states(seat)).toEqual(['bob reconnecting', 'bob reconnected']);
      expect(seat.player.reconnecting.size).toBe(0);
    }
    // bob sees what he missed, in the order it happened: his own drop, ada's move, his return.
    await eventually(() => bob.player.board[cell] === 'X', "bob sees ada's move");
    await eventually(() => bob.connectionEvents.length === 2, 'bob sees his own return');
    expect(bob.kinds.slice(-3)).toEqual([
      'player-connection reconnecting',
      'moved',
      'player-connection reconnected',
    ]);
    expect(bob.player.reconnecting.size).toBe(0);
    expect(game.resumeEvents.map((event) => event.type)).toContain('resumed');
    expect(game.log.some((line) => line.includes('bob (O) reconnecting'))).toBe(true);
    expect(game.log.some((line) => line.includes('bob (O) reconnected'))).toBe(true);
    const [adaOutcome, bobOutcome] = await Promise.all([playToEnd(ada.player), playToEnd(bob.player, 1)]);
    expect(adaOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(bobOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(ada.connectionEvents).toHaveLength(2);
  });

  test('past the window the cut player forfeits, as without resumption, after the others saw it reconnecting', async () => {
    const game = await startedGame(transportCase, 300);
    const { ada, carol } = game;
    game.relay.refuse(true);
    game.relay.cut();
    const outcome = await ada.player.outcome;
    expect(outcome).toMatchObject({ kind: 'ended', event: { reason: 'forfeit', winner: 'X' } });
    expect(game.log.some((line) => line.includes('bob') && line.includes('lost'))).toBe(true);
    await carol.player.outcome;
    for (const seat of [ada, carol]) {
      // reconnecting, then (whichever reaches the game first) the forfeit, and maybe `lost` before it.
      const reconnecting = seat.kinds.indexOf('player-connection reconnecting');
      expect(reconnecting, seat.kinds.join(', ')).toBeGreaterThanOrEqual(0);
      expect(seat.kinds.indexOf('game-ended')).toBeGreaterThan(reconnecting);
      expect(seat.kinds.filter((kind) => kind === 'player-connection reconnected')).toEqual([]);
    }
  });
});
