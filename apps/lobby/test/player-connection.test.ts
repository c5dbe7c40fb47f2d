import { describe, expect, test } from 'vitest';
import type { GameEvent, GameSetup, SeatConnectionState } from '../src/contracts.ts';
import { maxEventStreamsPerSeat, TicTacToeMatch } from '../src/game/match.ts';
import {
  PlayerConnection,
  type PlayerConnectionState,
  SeatConnectionRelay,
} from '../src/player-connection.ts';
import { defaultSettings } from '../src/settings.ts';
import { describeGameEvent } from '../src/story.ts';

const setup: GameSetup = {
  gameId: 'g1',
  gameName: 'blips',
  settings: defaultSettings,
  players: [
    { slot: 0, role: 'X', name: 'ada' },
    { slot: 1, role: 'O', name: 'bob' },
    { slot: 2, role: 'spectator', name: 'carol' },
  ],
};

/** The events a new watcher of `match` gets, read as they come. */
function watched(match: TicTacToeMatch): GameEvent[] {
  const events: GameEvent[] = [];
  void (async () => {
    for await (const event of match.watch()) events.push(event);
  })();
  return events;
}

const turns = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("a seat's connection in the match", () => {
  test('every watcher is told each change once; the snapshot names the seats reconnecting', async () => {
    const match = new TicTacToeMatch(setup);
    const events = watched(match);
    match.seatConnection(1, 'reconnecting');
    match.seatConnection(1, 'reconnecting'); // no news
    match.seatConnection(2, 'reconnected'); // carol never dropped: no news
    await turns();
    const later = watched(match);
    await turns();
    expect(later[0]).toMatchObject({ kind: 'snapshot', reconnecting: [1] });
    match.seatConnection(1, 'reconnected');
    await turns();
    const connection = (list: GameEvent[]) => list.filter((event) => event.kind === 'player-connection');
    expect(connection(events)).toEqual([
      { kind: 'player-connection', slot: 1, role: 'O', name: 'bob', state: 'reconnecting' },
      { kind: 'player-connection', slot: 1, role: 'O', name: 'bob', state: 'reconnected' },
    ]);
    expect(connection(later)).toEqual([connection(events)[1]]);
    const last = watched(match);
    await turns();
    expect(last[0]).toMatchObject({ kind: 'snapshot', reconnecting: [] });
  });

  test('a seat nobody sits in, or a state that does not exist, is refused; after the end nothing is told', async () => {
    const match = new TicTacToeMatch(setup);
    expect(() => match.seatConnection(3, 'reconnecting')).toThrow(/expected a seated slot, got 3/);
    expect(() => match.seatConnection(0, 'gone' as SeatConnectionState)).toThrow(
      /expected a connection state \(reconnecting, reconnected, lost\), got gone/,
    );
    const events = watched(match);
    match.seatConnection(1, 'reconnecting');
    match.concede('O', 'forfeit');
    match.seatConnection(1, 'lost');
    await turns();
    expect(events.map((event) => event.kind)).toEqual(['snapshot', 'player-connection', 'game-ended']);
  });
});

describe('the relay of a seat connection to its game', () => {
  test('a player that flaps its connection reaches the game at most burst times at once, and its last state arrives', async () => {
    const connection = new PlayerConnection();
    const sent: SeatConnectionState[] = [];
    const relay = new SeatConnectionRelay(connection, (state) => sent.push(state), {
      ratePerSecond: 20,
      burst: 2,
    });
    for (let flap = 0; flap < 500; flap++) {
      connection.set('reconnecting');
      connection.set('connected');
    }
    // Two at once (the burst); the 998 changes after them end where the game already is: nothing more.
    expect(sent).toEqual(['reconnecting', 'reconnected']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sent).toEqual(['reconnecting', 'reconnected']);
    // The bucket is full again: two at once, and the third change waits for a token (50 ms).
    connection.set('reconnecting');
    connection.set('connected');
    connection.set('reconnecting');
    expect(sent).toHaveLength(4);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sent).toEqual(['reconnecting', 'reconnected', 'reconnecting', 'reconnected', 'reconnecting']);
    relay.stop();
    connection.set('connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toHaveLength(5);
  });

  test('lost is final: told once, and the relay and the connection let go of each other', async () => {
    const connection = new PlayerConnection();
    const sent: SeatConnectionState[] = [];
    // What the relay watches the connection with, and whether it stopped watching.
    let relayListener: ((state: PlayerConnectionState) => void) | undefined;
    let unwatched = 0;
    const watch = connection.watch.bind(connection);
    connection.watch = (listener) => {
      relayListener = listener;
      const unwatch = watch(listener);
      return () => {
        unwatched++;
        unwatch();
      };
    };
    new SeatConnectionRelay(connection, (state) => sent.push(state));
    // A listener that never stops watching: only the connection can let go of it.
    const kept = new WeakRef(
      (() => {
        const listener = (_state: PlayerConnectionState) => {};
        watch(listener);
        return listener;
      })(),
    );
    connection.set('reconnecting');
    connection.set('lost');
    connection.set('connected');
    expect(connection.state).toBe('lost');
    expect(sent).toEqual(['reconnecting', 'lost']);
    // The relay let go of the connection, and is final itself: a change that reached it anyway is not sent.
    expect(unwatched).toBe(1);
    relayListener!('connected');
    relayListener!('reconnecting');
    expect(sent).toEqual(['reconnecting', 'lost']);
    // The connection let go of its listeners: the one that never stopped watching can be collected.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run the tests with --expose-gc');
    for (let attempt = 0; attempt < 20 && kept.deref() !== undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(kept.deref()).toBeUndefined();
  });

  test('a seat whose connection is already down at launch is told at once', () => {
    const connection = new PlayerConnection();
    connection.set('reconnecting');
    const sent: SeatConnectionState[] = [];
    const relay = new SeatConnectionRelay(connection, (state) => sent.push(state));
    expect(sent).toEqual(['reconnecting']);
    relay.stop();
  });
});

describe("a seat's connection in the terminal", () => {
  test('each state is one line naming the seat', () => {
    const line = (state: SeatConnectionState, role: 'O' | 'spectator' = 'O') =>
      describeGameEvent({ kind: 'player-connection', slot: 1, role, name: 'bob', state }, [], 3);
    expect(line('reconnecting')).toEqual(['bob (O) lost the connection and is reconnecting…']);
    expect(line('reconnected')).toEqual(['bob (O) reconnected']);
    expect(line('lost', 'spectator')).toEqual(['bob (watching) could not reconnect']);
  });
});

describe("a seat's game event streams", () => {
  test('are at most maxEventStreamsPerSeat: another one ends the oldest with GameError limit; other seats are untouched', async () => {
    const match = new TicTacToeMatch(setup);
    const carol = match.seat(2);
    const streams = Array.from({ length: 1_000 }, () => carol.events());
    const ada = match.seat(0).events();
    match.move('X', 'ada', 0);
    // The newest streams get the move; every older one was aborted with limit.
    for (const events of streams.slice(-maxEventStreamsPerSeat)) {
      expect((await events.read()).value).toMatchObject({ kind: 'snapshot' });
      expect((await events.read()).value).toMatchObject({ kind: 'moved', cell: 0 });
    }
    const oldest = await rejection(streams[0]!.read().then(() => streams[0]!.read()));
    expect(oldest).toMatchObject({ name: 'AbortedError' });
    expect((oldest as { cause?: unknown }).cause).toMatchObject({
      name: 'GameError',
      code: 'limit',
      message: /at most 2 event streams per seat \(maxEventStreamsPerSeat\)/,
    });
    expect((await ada.read()).value).toMatchObject({ kind: 'snapshot' });
    expect((await ada.read()).value).toMatchObject({ kind: 'moved', cell: 0 });
  });

  test('a stream its reader cancelled frees its place at once, even in a quiet game', async () => {
    const match = new TicTacToeMatch(setup);
    const bob = match.seat(1);
    const [first, second] = [bob.events(), bob.events()];
    // The newer one is cancelled: the next stream must not end the older, live one.
    await second.cancel();
    await turns();
    const third = bob.events();
    match.move('X', 'ada', 4);
    for (const events of [first, third]) {
      expect((await events.read()).value).toMatchObject({ kind: 'snapshot' });
      expect((await events.read()).value).toMatchObject({ kind: 'moved', cell: 4 });
    }
  });
});

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
