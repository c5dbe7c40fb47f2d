/*
 * Runs one node of a lobby cluster until Ctrl-C or SIGTERM (the tests start nodes this way, so that
 * SIGKILL and SIGSTOP are real).
 *
 *   node bin/msc-lobby-cluster-node.js --name a --redis redis://127.0.0.1:6390 [--tcp 127.0.0.1:0]
 *       [--lease-ms 5000] [--ticket-ttl-ms 10000] [--key-prefix msc:lobby:] [--advertise tcp:HOST:PORT]
 *       [--web HOST:PORT] [--advertise-web ws://HOST:PORT/msc]
 *
 * Prints one JSON line once it listens: `{"ready":true,"node":"a","tcp":"tcp:…","fingerprint":"…"}`
 * (with `--web`, also `"web":"http://…/"` and `"webSocket":"ws://…/msc"`),
 * then `log: …` lines and `event: {…}` lines (the directory's changes as this node sees them).
 */
import { Identity } from '@msc/identity';
import { exitWithError, exitWithUsageError, parseCommandLineOrExit } from '../src/cli/command-line.ts';
import { stopOnInterrupt } from '../src/cli/interrupt.ts';
import { ClusterNode } from '../src/cluster/cluster-node.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import type { LobbyServer } from '../src/lobby-server.ts';

const command = 'msc-lobby-cluster-node';
const usage = `Usage: ${command} --name NAME --redis URL [options]

Runs one lobby node of a cluster whose directory is in Redis, until Ctrl-C.

Options:
  --name NAME             this node's name, unique in the cluster (a-z, 0-9, -; up to 16)
  --redis URL             the directory's Redis (redis://127.0.0.1:6379)
  --tcp HOST:PORT         where players connect (default 127.0.0.1:0, a free port)
  --advertise tcp:H:P     the address other nodes' players dial (default: the bound one)
  --web HOST:PORT         also serve the browser page and its WebSocket endpoint there (port 0: a free one)
  --advertise-web URL     the WebSocket address other nodes' browsers dial (default: the bound one)
  --lease-ms MS           the node's lease (default 5000)
  --ticket-ttl-ms MS      how long a redirect's ticket is valid (default 10000)
  --key-prefix PREFIX     the prefix of the directory's keys (default msc:lobby:)
  -h, --help              print this help`;

const values = parseCommandLineOrExit(command, usage, process.argv.slice(2), {
  name: { type: 'string' },
  redis: { type: 'string' },
  tcp: { type: 'string', default: '127.0.0.1:0' },
  advertise: { type: 'string' },
  web: { type: 'string' },
  'advertise-web': { type: 'string' },
  'lease-ms': { type: 'string', default: '5000' },
  'ticket-ttl-ms': { type: 'string', default: '10000' },
  'key-prefix': { type: 'string', default: 'msc:lobby:' },
});
if (values.name === undefined) exitWithUsageError(command, usage, new Error('expected --name NAME'));
if (values.redis === undefined) exitWithUsageError(command, usage, new Error('expected --redis URL'));
const integer = (flag: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 100)
    exitWithUsageError(
      command,
      usage,
      new Error(`expected --${flag} to be an integer of at least 100, got '${text}'`),
    );
  return value;
};
const name = values.name;
const write = (line: string) => process.stdout.write(`${line}\n`);
const identity = await Identity.generate({ name: `lobby-${name}` });
let webAt: { readonly host: string; readonly port: number } | undefined;
if (values.web !== undefined) {
  const match = /^(.+):(\d{1,5})$/.exec(values.web);
  if (match === null)
    exitWithUsageError(command, usage, new Error(`expected --web HOST:PORT, got '${values.web}'`));
  webAt = { host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}
let pageUrl: string | undefined;
const node = await ClusterNode.start({
  identity,
  gameHost: inProcessGameHost(),
  log: (line) => write(`log: ${line}`),
  tcp: values.tcp.startsWith('tcp:') ? values.tcp : `tcp:${values.tcp}`,
  advertise: values.advertise,
  advertiseWebSocket: values['advertise-web'],
  ...(webAt !== undefined
    ? {
        web: async (server: LobbyServer, peerWebSockets: () => readonly string[]) => {
          // Loaded only here: the page server bundles the browser client with rollup.
          const { serveWeb } = await import('../src/web/web-server.ts');
          const endpoint = await serveWeb(server, {
            ...webAt,
            peerWebSockets,
            log: (line) => write(`log: ${line}`),
          });
          pageUrl = endpoint.url;
          return endpoint;
        },
      }
    : {}),
  cluster: {
    redis: values.redis,
    node: name,
    leaseMs: integer('lease-ms', values['lease-ms']),
    ticketTtlMs: integer('ticket-ttl-ms', values['ticket-ttl-ms']),
    keyPrefix: values['key-prefix'],
    onEvent: (event) => write(`event: ${JSON.stringify(event)}`),
  },
}).catch((error: unknown) => exitWithError(command, error));
write(
  JSON.stringify({
    ready: true,
    node: name,
    tcp: node.address,
    fingerprint: identity.fingerprint,
    ...(node.webSocketAddress !== undefined ? { web: pageUrl, webSocket: node.webSocketAddress } : {}),
  }),
);
stopOnInterrupt(() => node.close('the node stopped'));
