/*
 * Runs a lobby server until Ctrl-C.
 *
 *   pnpm --filter @msc/lobby server -- [--tcp 127.0.0.1:7000] [--web 127.0.0.1:8080] [--state-dir DIR]
 *                                      [--admission allow-all|tofu] [--game-host worker|process|in-process]
 *
 * --web serves the browser client over HTTP on that port, and the lobby's WebSocket endpoint on
 * the same port under /msc (the terminal client connects there with --server ws://host:port/msc).
 *
 * Without --state-dir the server's identity is generated for this run; with it, the identity is kept
 * in DIR/server.identity.json and (with --admission tofu) the players' keys in DIR/known-players.json.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AdmissionPolicy, allowAll, Identity, memoryKnownPeers, trustOnFirstUse } from '@msc/identity';
import { knownPeersFile, loadOrCreateIdentity } from '@msc/identity/node';
import { tcp } from '@msc/transport-tcp';
import type { GameHost } from '../src/game-host.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { printable } from '../src/text-rules.ts';
import { serveWeb } from '../src/web/web-server.ts';

const { values } = parseArgs({
  options: {
    tcp: { type: 'string', default: '127.0.0.1:7000' },
    web: { type: 'string', default: '127.0.0.1:8080' },
    'state-dir': { type: 'string' },
    admission: { type: 'string', default: 'allow-all' },
    'game-host': { type: 'string', default: 'worker' },
  },
});

const stateDirectory = values['state-dir'];
if (stateDirectory !== undefined) await mkdir(stateDirectory, { recursive: true, mode: 0o700 });
const identity =
  stateDirectory === undefined
    ? await Identity.generate({ name: 'lobby' })
    : await loadOrCreateIdentity(join(stateDirectory, 'server.identity.json'), { name: 'lobby' });

let admission: AdmissionPolicy;
if (values.admission === 'tofu') {
  const knownPeers =
    stateDirectory === undefined
      ? memoryKnownPeers()
      : knownPeersFile(join(stateDirectory, 'known-players.json'));
  admission = trustOnFirstUse({
    knownPeers,
    onKeyChange: (event) =>
      console.log(`refused ${event.presented}: the name ${event.name} is known with another key`),
    onConfusableName: (event) =>
      console.log(`refused ${event.presented}: the name looks like known player ${event.known}`),
  });
} else if (values.admission === 'allow-all') {
  admission = allowAll();
} else {
  throw new Error(`expected --admission allow-all or tofu, got ${values.admission}`);
}

const kind = values['game-host'];
const gameHost: GameHost =
  kind === 'in-process'
    ? inProcessGameHost()
    : sipGameHost({ kind: kind === 'process' ? 'process' : 'worker' });

const stamp = () => new Date().toISOString().slice(11, 19);
const server = new LobbyServer({
  identity,
  admission,
  gameHost,
  log: (line) => console.log(`${stamp()} ${line}`),
});
await server.listen(tcp(), values.tcp.startsWith('tcp:') ? values.tcp : `tcp:${values.tcp}`);
const [webHost = '127.0.0.1', webPort = '8080'] = values.web.split(/:(?=\d+$)/);
const web = await serveWeb(server, {
  host: webHost,
  port: Number(webPort),
  log: (line) => console.log(`${stamp()} ${printable(line)}`),
});
console.log(`${stamp()} browser client at ${web.url} (WebSocket endpoint ${web.webSocketAddress})`);
console.log(
  `${stamp()} server identity ${identity.publicIdentity} (games run in ${gameHost.kind}); Ctrl-C stops`,
);

process.once('SIGINT', () => {
  console.log(`\n${stamp()} shutting down`);
  void server.close().then(() => process.exit(0));
});
