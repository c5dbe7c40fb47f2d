/*
 * A lobby attacker that asks and never reads (class 9), run by the lobby attacks in a child process of
 * its own: opens <sessions> sessions to the lobby at <address>, has each send <calls> `listGames` calls
 * for full pages (`list`) or open <calls> watchers of game <gameId> declaring a window of a billion
 * events (`watch`), prints `stopping`, then stops itself (SIGSTOP): its sockets are never read again, so
 * whatever the server answers piles up on the server's side. The attack kills it (SIGKILL) when done.
 *
 *   stalled-lobby-reader.ts <address> <sessions> <calls> list|watch [gameId]
 */
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { LobbyClient } from '@msc/lobby/client';
import { tcp } from '@msc/transport-tcp';

const [address = '', sessions = '1', calls = '1', mode = 'list', gameId = 'g1'] = parseArgs({
  allowPositionals: true,
}).positionals;
const clients: LobbyClient[] = [];
for (let index = 0; index < Number(sessions); index++) {
  const client = LobbyClient.connect({
    identity: await Identity.generate({ name: `stalled-${index}` }),
    transport: tcp(),
    address,
  });
  await client.ready();
  clients.push(client);
}
for (const client of clients) {
  for (let call = 0; call < Number(calls); call++) {
    if (mode === 'list') {
      client.lobby.listGames({ limit: 50 }).then(
        () => {},
        () => {},
      );
    } else {
      const events = client.lobby.openGame(gameId).events();
      events.capacity = 1_000_000_000;
    }
  }
}
// Let the calls reach the server, then stop reading for good.
await new Promise((resolve) => setTimeout(resolve, 500));
console.log('stopping');
process.kill(process.pid, 'SIGSTOP');
