/*
 * Runs a lobby server until Ctrl-C.
 *
 *   npx pnpm@10.34.8 --filter @msc/lobby run server -- [--tcp 127.0.0.1:7000] [--web 127.0.0.1:8080]
 *       [--state-dir DIR] [--admission allow-all|tofu] [--game-host worker|process|in-process]
 *       [--log warn|info|off] [--resume-grace SECONDS]
 *
 * (`msc-lobby-server` is the same command as a `bin` entry; `--help` prints the usage.)
 *
 * --web serves the browser client over HTTP on that port, and the lobby's WebSocket endpoint on
 * the same port under /msc (the terminal client connects there with --server ws://host:port/msc).
 *
 * Without --state-dir the server's identity is generated for this run; with it, the identity is kept
 * in DIR/server.identity.json and (with --admission tofu) the players' keys in DIR/known-players.json.
 *
 * --log: the scopes' and listeners' logger (sessions and connections refused, failed handshakes,
 * limits hit, sessions ended abnormally) prints on stderr. `warn` by default: those events are rare
 * in play and an operator wants every one; `info` adds players whose connection was lost (every
 * closed laptop lid), which is noise for a sample server; `off` prints none.
 *
 * --resume-grace: a player whose connection drops keeps its session (its seats, its games) this many
 * seconds while its client reconnects and resumes (docs/resumption.md); the other seats see it
 * reconnecting. 30 by default; 0 turns resumption off (a drop ends the session at once, a player
 * forfeits).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type AdmissionPolicy, allowAll, Identity, memoryKnownPeers, trustOnFirstUse } from '@msc/identity';
import { knownPeersFile, loadOrCreateIdentity } from '@msc/identity/node';
import type { LogEvent, Logger } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { exitWithError, exitWithUsageError, parseCommandLineOrExit } from '../src/cli/command-line.ts';
import { stopOnInterrupt } from '../src/cli/interrupt.ts';
import type { GameHost } from '../src/game-host.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { printable } from '../src/text-rules.ts';
import { serveWeb } from '../src/web/web-server.ts';

const command = 'msc-lobby-server';
const usage = `Usage: ${command} [options]
  (from the repository root: npx pnpm@10.34.8 --filter @msc/lobby run server -- [options])

Runs a lobby server until Ctrl-C.

Options:
  --tcp HOST:PORT          the TCP endpoint for terminal clients (default 127.0.0.1:7000; port 0 picks a free one)
  --web HOST:PORT          the browser client and the WebSocket endpoint /msc (default 127.0.0.1:8080)
  --state-dir DIR          keep the server identity (and with tofu the players' keys) in DIR
  --admission POLICY       allow-all (default) or tofu (a name is admitted only with its first key)
  --game-host KIND         where games run: worker (default), process or in-process
  --log LEVEL              refused sessions, failed handshakes, limits hit on stderr: warn (default),
                           info (also lost connections) or off
  --resume-grace SECONDS   how long a dropped player keeps its seat while its client reconnects
                           (default 30; 0: no resumption, a drop forfeits at once)
  -h, --help               print this help`;

const values = parseCommandLineOrExit(command, usage, process.argv.slice(2), {
  tcp: { type: 'string', default: '127.0.0.1:7000' },
  web: { type: 'string', default: '127.0.0.1:8080' },
  'state-dir': { type: 'string' },
  admission: { type: 'string', default: 'allow-all' },
  'game-host': { type: 'string', default: 'worker' },
  log: { type: 'string', default: 'warn' },
  'resume-grace': { type: 'string', default: '30' },
});
const resumeGraceText = values['resume-grace'];
const resumeGraceSeconds = /^\d{1,4}$/.test(resumeGraceText) ? Number(resumeGraceText) : Number.NaN;
if (!(resumeGraceSeconds <= 3_600)) {
  exitWithUsageError(
    command,
    usage,
    new Error(`expected --resume-grace a whole number of seconds from 0 to 3600, got '${resumeGraceText}'`),
  );
}
const logLevel = values.log;
if (logLevel !== 'warn' && logLevel !== 'info' && logLevel !== 'off') {
  exitWithUsageError(command, usage, new Error(`expected --log warn, info or off, got '${logLevel}'`));
}
const admissionPolicy = values.admission;
if (admissionPolicy !== 'allow-all' && admissionPolicy !== 'tofu') {
  exitWithUsageError(
    command,
    usage,
    new Error(`expected --admission allow-all or tofu, got '${admissionPolicy}'`),
  );
}
const kind = values['game-host'];
if (kind !== 'worker' && kind !== 'process' && kind !== 'in-process') {
  exitWithUsageError(
    command,
    usage,
    new Error(`expected --game-host worker, process or in-process, got '${kind}'`),
  );
}
const tcpAddress = values.tcp.startsWith('tcp:') ? values.tcp : `tcp:${values.tcp}`;
const webMatch = /^(.+):(\d{1,5})$/.exec(values.web);
if (webMatch === null || Number(webMatch[2]) > 65_535) {
  exitWithUsageError(
    command,
    usage,
    new Error(`expected --web HOST:PORT (as in 127.0.0.1:8080), got '${values.web}'`),
  );
}
const [, webHost = '127.0.0.1', webPort = '8080'] = webMatch;

const stateDirectory = values['state-dir'];
// Anything that fails while starting (a state dir we cannot write, a port in use) ends the command
// with one line naming it, not a stack trace.
const failed = (error: unknown) => exitWithError(command, error);
if (stateDirectory !== undefined) await mkdir(stateDirectory, { recursive: true, mode: 0o700 }).catch(failed);
const identity =
  stateDirectory === undefined
    ? await Identity.generate({ name: 'lobby' })
    : await loadOrCreateIdentity(join(stateDirectory, 'server.identity.json'), { name: 'lobby' }).catch(
        failed,
      );

let admission: AdmissionPolicy;
if (admissionPolicy === 'tofu') {
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
} else {
  admission = allowAll();
}

const gameHost: GameHost =
  kind === 'in-process'
    ? inProcessGameHost()
    : sipGameHost({ kind: kind === 'process' ? 'process' : 'worker' });

const stamp = () => new Date().toISOString().slice(11, 19);
// The events' sentences, stamped, on stderr; text a peer sent (an abort reason) is made printable.
const print = (_event: LogEvent, message: string) => console.error(`${stamp()} ${printable(message)}`);
const ignore = () => {};
const logger: Logger | undefined =
  logLevel === 'off' ? undefined : { warn: print, info: logLevel === 'info' ? print : ignore };
const server = new LobbyServer({
  identity,
  admission,
  gameHost,
  log: (line) => console.log(`${stamp()} ${line}`),
  logger,
  ...(resumeGraceSeconds > 0 ? { resume: { graceMs: resumeGraceSeconds * 1_000 } } : {}),
});
const listening = await server.listen(tcp({ logger }), tcpAddress).catch(failed);
const web = await serveWeb(server, {
  host: webHost,
  port: Number(webPort),
  log: (line) => console.log(`${stamp()} ${printable(line)}`),
  logger,
}).catch(failed);
console.log(`${stamp()} terminal clients connect to ${listening}`);
console.log(`${stamp()} browser client at ${web.url} (WebSocket endpoint ${web.webSocketAddress})`);
console.log(
  `${stamp()} server identity ${identity.publicIdentity} (games run in ${gameHost.kind}); Ctrl-C stops`,
);

stopOnInterrupt(async () => {
  console.log(`\n${stamp()} shutting down`);
  await server.close();
});
