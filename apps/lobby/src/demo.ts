/*
 * The lobby demo (`npm run demo` at the root): a lobby server on loopback and four scripted players
 * who create a game, race for a slot, chat, change settings (one change conflicts, one launch is
 * refused for a stale LSN), launch, and play a best-of-three tic-tac-toe match in a game SIP. It
 * prints the story as the players saw it and exits 0 (or 1 with the reason).
 */
import { Identity } from '@msc/identity';
import type { Transport } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { joinFirstFree, joinSlot, launchWhenSeen, playToEnd } from './client/bot.ts';
import type { GameView } from './client/game-view.ts';
import { LobbyClient } from './client/lobby-client.ts';
import { isLobbyError } from './lobby-error.ts';
import { LobbyServer } from './lobby-server.ts';
import { sipGameHost } from './sip-game-host.ts';
import { describeGameEvent, describeLauncherEvent } from './story.ts';

const started = performance.now();
const width = 7;
const say = (who: string, line: string) => console.log(`${who.padEnd(width)} ${line}`);
const note = (line: string) => console.log(`\n── ${line}`);

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error('the demo did not finish within 20 s');
    process.exit(1);
  }, 20_000);
  deadline.unref();

  note('a lobby server on loopback; every launched game runs in a worker-thread SIP of its own');
  const server = new LobbyServer({
    identity: await Identity.generate({ name: 'lobby' }),
    gameHost: sipGameHost({ kind: 'worker' }),
    log: (line) => say('server', line),
  });
  const endpoints: Record<'tcp' | 'ws', { transport: Transport; address: string }> = {
    tcp: { transport: tcp(), address: await server.listen(tcp(), 'tcp:127.0.0.1:0') },
    ws: { transport: ws(), address: await server.listen(ws(), 'ws://127.0.0.1:0/msc') },
  };

  note(
    'four players connect (ada and bob over TCP, cy and dan over WebSocket); each session is authenticated with a fresh ed25519 identity',
  );
  const names = ['ada', 'bob', 'cy', 'dan'] as const;
  const clients = Object.fromEntries(
    await Promise.all(
      names.map(async (name, index) => {
        const { transport, address } = index < 2 ? endpoints.tcp : endpoints.ws;
        const client = LobbyClient.connect({
          identity: await Identity.generate({ name }),
          transport,
          address,
        });
        const me = await client.lobby.whoAmI();
        say(name, `connected; the lobby knows me as ${me.name} (${me.fingerprint.slice(0, 9)}…)`);
        return [name, client] as const;
      }),
    ),
  ) as Record<(typeof names)[number], LobbyClient>;

  note('ada creates a game and takes slot 0 (X); everything she does below goes through this one launcher');
  const ada = clients.ada.createGame('Friday night');
  ada.onEvent((event) => say('log', describeLauncherEvent(event)));
  const adaSeat = await joinSlot(ada, 0, 'ada');

  note('the others list the open games and open the first one');
  const [listed] = (await clients.bob.listGames()).games;
  if (listed === undefined) throw new Error('expected ada’s game to be listed');
  say(
    'bob',
    `listGames → ${listed.id} "${listed.name}" by ${listed.createdBy}, open slots ${listed.openSlots.join(', ')}`,
  );
  const views = {
    bob: clients.bob.openGame(listed.id),
    cy: clients.cy.openGame(listed.id),
    dan: clients.dan.openGame(listed.id),
  };

  note('bob and dan race for slot 1 (O): the launcher decides in dispatch order, exactly one wins');
  const race = await Promise.allSettled([joinSlot(views.bob, 1, 'bob'), joinSlot(views.dan, 1, 'dan')]);
  const seats: Record<string, Awaited<ReturnType<typeof joinSlot>>> = { ada: adaSeat };
  for (const [index, name] of (['bob', 'dan'] as const).entries()) {
    const outcome = race[index]!;
    if (outcome.status === 'fulfilled') {
      seats[name] = outcome.value;
      say(name, 'tryJoin(1) → won slot 1');
    } else {
      say(name, `tryJoin(1) → refused: ${(outcome.reason as Error).message}`);
      seats[name] = await joinFirstFree(views[name], [2, 3], name);
      say(name, `joined slot ${seats[name].slot} to watch instead`);
    }
  }
  seats['cy'] = await joinFirstFree(views.cy, [2, 3], 'cy');
  const o = (['bob', 'dan'] as const).find((name) => seats[name]?.slot === 1)!;
  const oView = views[o];
  await ada.until((view) => view.openSlots.length === 0);

  note(
    'chat and settings are stamped with the LSN each player had seen, and totally ordered by the launcher',
  );
  await ada.say('best of three? and you start the last round');
  await oView.until((view) => view.chat.length >= 1);
  await oView.say('deal');
  // ada pipelines two dependent changes without waiting for the first: round 3 must exist before it
  // can have a starter. Her own earlier change never conflicts with her later one.
  await ada.until((view) => view.chat.length >= 2);
  const pipelined = [
    ada.change({ kind: 'rounds', rounds: 3 }),
    ada.change({ kind: 'starter', round: 3, mark: 'O' }),
  ];
  say('ada', `sent rounds to 3 and round 3 starter to O, both stamped with lsn ${ada.lsn}`);
  await Promise.all(pipelined);
  await ada.until((view) => view.settings?.starters[2] === 'O');

  note(
    `ada and ${o} both decide who starts round 2, at the same moment, having seen the same LSN: one conflicts`,
  );
  await oView.until((view) => view.lsn === ada.lsn);
  const conflict = await Promise.allSettled([
    ada.change({ kind: 'starter', round: 2, mark: 'X' }),
    oView.change({ kind: 'starter', round: 2, mark: 'O' }),
  ]);
  for (const [index, name] of (['ada', o] as const).entries()) {
    const outcome = conflict[index]!;
    say(
      name,
      outcome.status === 'fulfilled'
        ? `round 2 starter change accepted at lsn ${outcome.value}`
        : `round 2 starter change refused: ${(outcome.reason as Error).message}`,
    );
  }

  note(`${o} chats and presses launch in the same breath: the launch carries an LSN from before the chat`);
  const chat = oView.say('launching!');
  const early = oView.launch();
  await chat;
  try {
    await early;
    say(o, 'launched (unexpectedly)');
  } catch (error) {
    if (!isLobbyError(error, 'stale-lsn')) throw error;
    say(o, `tryLaunch refused: ${error.message}`);
  }
  const launchedViews = Object.values(seats).map((seat) => seat.launched);
  await oView.until((view) => view.lsn >= 0 && view.chat.some((line) => line.text === 'launching!'));
  say(o, `saw everything up to lsn ${oView.lsn}; tryLaunch(${oView.lsn})`);
  await launchWhenSeen(oView);

  note('the server calls each client launcher with its seat; cy narrates the match from a spectator seat');
  const players = await Promise.all(launchedViews);
  const narrator = players.find((player) => player.info.slot === seats['cy']!.slot)!;
  narrator.onEvent((event, view) => {
    for (const line of describeGameEvent(event, view.board, view.boardSize)) say('game', line);
  });
  for (const { info } of players) {
    const name = info.players.find((player) => player.slot === info.slot)?.name ?? '?';
    say(name, `launched as ${info.role} in game ${info.gameId}`);
  }
  const outcomes = await Promise.all(players.map((player, index) => playToEnd(player, index)));
  for (const player of players) player[Symbol.dispose]();
  const ended = outcomes.find((outcome) => outcome.kind === 'ended');
  if (ended === undefined) throw new Error(`expected the game to end, got ${JSON.stringify(outcomes)}`);
  // The lobby ends the game's SIP once the match is over.
  for (const running of server.lobby.runningGames) await running.outcome;

  note('everyone leaves; the server shuts down (its scopes end every session)');
  await Promise.all(Object.values(clients).map((client) => client.close()));
  // Let the server notice the goodbyes before it shuts down (bounded).
  for (let wait = 0; wait < 100 && server.sessions.length > 0; wait++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  for (const view of [ada, ...Object.values(views)] as GameView[]) view[Symbol.dispose]();
  await server.close();
  console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s of demo time`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('the demo failed:', error);
    process.exit(1);
  },
);
