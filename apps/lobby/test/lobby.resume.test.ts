import { Identity } from '@msc/identity';
import type { ResumeEvent } from '@msc/session';
import type { Connection, Transport } from '@msc/transport';
import { afterEach, describe, expect, test } from 'vitest';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { eventually, transportCases } from './harness.ts';

/**
 * A player whose connection is cut mid-game and comes back within the window keeps its seat and
 * sees what it missed (docs/resumption.md); the server's log says it was reconnecting. Past the
 * window the seat forfeits as it always did. Over TCP and WebSocket. The cut is the client's socket
 * aborted under it (both ends see the connection drop, no session message): a proxy in between would
 * be refused by the identity handshake, which binds the connection's addresses (a relay).
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

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function resumableLobby(transportCase: (typeof transportCases)[number], graceMs: number) {
  const log: string[] = [];
  const server = new LobbyServer({
    identity: await Identity.generate({ name: 'lobby' }),
    log: (line) => log.push(line),
    resume: { graceMs },
  });
  cleanups.push(() => server.close());
  const address = await server.listen(transportCase.transport(), transportCase.listenAddress);
  const relay = cuttable(transportCase.transport());
  const events: Record<string, ResumeEvent[]> = {};
  const connect = async (name: string, cut: boolean) => {
    events[name] = [];
    const client = LobbyClient.connect({
      identity: await Identity.generate({ name }),
      transport: cut ? relay.transport : transportCase.transport(),
      address,
      resume: { graceMs, initialBackoffMs: 10, onEvent: (event) => events[name]!.push(event) },
    });
    cleanups.push(() => client.close());
    await client.ready();
    return client;
  };
  return { server, log, relay, events, connect };
}

describe.each(transportCases)('the lobby over $name with resumption', (transportCase) => {
  test('a player cut mid-game keeps its seat, sees the moves it missed, and the game is played to the end', async () => {
    const lobby = await resumableLobby(transportCase, 10_000);
    // bob's connection will be cut.
    const ada = await lobby.connect('ada', false);
    const bob = await lobby.connect('bob', true);
    await eventually(() => bob.session?.resumption?.resumable === true, 'bob is resumable');
    const adaView = ada.createGame('blip');
    await adaView.until((view) => view.lsn >= 0);
    const adaSeat = await joinSlot(adaView, 0, 'ada');
    const bobView = bob.openGame(adaView.gameId);
    const bobSeat = await joinSlot(bobView, 1, 'bob');
    await adaView.until((view) => view.slots[1]?.name === 'bob');
    await launchWhenSeen(adaView);
    const [adaPlayer, bobPlayer] = await Promise.all([adaSeat.launched, bobSeat.launched]);
    // ada moves first (X); bob is cut as the move is on its way to him.
    await eventually(() => adaPlayer.myTurn && adaPlayer.board.length > 0, 'ada may move');
    await eventually(() => bobPlayer.board.length > 0, 'bob sees the board');
    const adaMoved = adaPlayer.move(adaPlayer.board.indexOf(null));
    lobby.relay.cut();
    await adaMoved;
    await eventually(() => lobby.events['bob']!.some((event) => event.type === 'resumed'), 'bob resumed');
    expect(lobby.log.some((line) => line.includes('bob') && line.includes('reconnecting'))).toBe(true);
    // bob saw ada's move (replayed), and both play on to the end: no forfeit.
    await eventually(() => bobPlayer.board.some((cell) => cell !== null), 'bob sees the move he missed');
    const [adaOutcome, bobOutcome] = await Promise.all([playToEnd(adaPlayer), playToEnd(bobPlayer, 1)]);
    expect(adaOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(bobOutcome).toMatchObject({ kind: 'ended', event: { reason: 'played' } });
    expect(bob.session?.isTerminated).toBe(false);
    adaPlayer[Symbol.dispose]();
    bobPlayer[Symbol.dispose]();
  });

  test('past the window the cut player forfeits, as without resumption', async () => {
    const lobby = await resumableLobby(transportCase, 300);
    const ada = await lobby.connect('ada', false);
    const bob = await lobby.connect('bob', true);
    await eventually(() => bob.session?.resumption?.resumable === true, 'bob is resumable');
    const adaView = ada.createGame('gone');
    await adaView.until((view) => view.lsn >= 0);
    const adaSeat = await joinSlot(adaView, 0, 'ada');
    const bobView = bob.openGame(adaView.gameId);
    const bobSeat = await joinSlot(bobView, 1, 'bob');
    await adaView.until((view) => view.slots[1]?.name === 'bob');
    await launchWhenSeen(adaView);
    const [adaPlayer, bobPlayer] = await Promise.all([adaSeat.launched, bobSeat.launched]);
    lobby.relay.refuse(true);
    lobby.relay.cut();
    const outcome = await adaPlayer.outcome;
    expect(outcome).toMatchObject({ kind: 'ended', event: { reason: 'forfeit', winner: 'X' } });
    expect(lobby.log.some((line) => line.includes('bob') && line.includes('lost'))).toBe(true);
    adaPlayer[Symbol.dispose]();
    bobPlayer[Symbol.dispose]();
  });
});
