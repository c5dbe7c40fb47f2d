/*
 * The target of the attack suite, run by `TargetProcess` in a child process of its own so that an attack
 * that crashes it, stalls it or fills its heap shows as exactly that. Usage: `attack-target.ts`.
 *
 * It listens on 127.0.0.1 (every port chosen by the system) with every kind of endpoint the attacks aim at:
 *   scopeTcp     a bare `Scope` over `tcp()`, unauthenticated, root: a `TargetService`
 *   scopeWs      the same over `ws()` on a port of its own (`ws://127.0.0.1:<port>/msc`)
 *   httpWs       the same over `ws({ server })` attached to an `http.Server` that also answers plain
 *                requests (`httpUrl`): the `http.Server`-attached endpoint
 *   resumeTcp    a `Scope` over `tcp()` with resumption (docs/resumption.md): a handshake timeout of 2 s, at
 *                most 16 parked sessions and 4 MiB parked bytes, a grace window of 20 s
 *   identityTcp  a `Scope` with `identityAuthenticator` and trust on first use; the known peers start
 *                with two players, `alice` and `zoé` (players.ts)
 *   lobbyTcp, lobbyWs, lobbyPage, lobbyWebWs   a `LobbyServer` (games in process, for speed) on TCP,
 *                WebSocket, and `serveWeb`'s page server with its WebSocket endpoint
 * and prints `ready <json of those addresses>`. Every session of the three bare scopes and of the identity
 * scope that ends prints `end <json {endpoint, step, code, message}>`; every line the lobby logs is
 * printed as `log <json string>`.
 *
 * Commands on stdin:
 *   parked                    print `parked <json {parked, resumable, sessions}>`: the resumable scope's
 *                             sessions parked now, those connected that a drop would park (their secret
 *                             derived and registered), and all its sessions
 *   memory                    collect garbage, print `memory <json {rss, heapUsed, external, arrayBuffers}>`
 *   sip <kind> <module file> [behaviour]
 *                             spawn a SIP (worker or process) running `sips/<module file>` (a worker's
 *                             `.sip.ts` module bundled with esbuild first) with init `{ behaviour }`, wait
 *                             for its end (at most 10 s, 20 s for a `.sip.ts` module, then terminate it) and print
 *                             `sip-end <json {cause, message, session}>` (`session`: its session's end code)
 *   good-sip                  call the well-behaved worker SIP (`sips/well-behaved.sip.ts`, started at the
 *                             first such command, values mode) and print `good-sip <json {answer, ms}>`
 *                             (`answer` is the error's name when the call failed)
 *   known-peers <path>        read the known-peers file at <path> (`knownPeersFile`) and print
 *                             `known-peers <json {code}>`: `trusted` when it was read, else the error's code
 *   quit                      exit at once
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { proxy } from '@msc/eventual';
import { Identity, identityAuthenticator, memoryKnownPeers, trustOnFirstUse } from '@msc/identity';
import { knownPeersFile } from '@msc/identity/node';
import { inProcessGameHost, LobbyServer } from '@msc/lobby/server';
import { serveWeb } from '@msc/lobby/web';
import { enableMessagePortValues, Scope, type Session, unauthenticated } from '@msc/session';
import { type Sip, spawnSip } from '@msc/sip';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { onCommandLines } from '../child-commands.ts';
import { Secret, TargetService } from '../target-service.ts';
import { knownPlayers } from './players.ts';
import { resumeTargetBounds } from './resume-target-bounds.ts';

const print = (keyword: string, value: unknown) => console.log(`${keyword} ${JSON.stringify(value)}`);

/** Reports every session end of `endpoint`, so that the attack knows the code its session ended with. */
const reportEnds =
  (endpoint: string) =>
  (session: Session<unknown>): void => {
    void session.closed.then((reason) =>
      print('end', { endpoint, step: reason.step, code: reason.code, message: reason.message }),
    );
  };

const secret = proxy(new Secret());
const root = () => proxy(new TargetService(secret));

const scopeTcp = new Scope({
  transport: tcp(),
  authenticator: unauthenticated(),
  root,
  onSession: reportEnds('scopeTcp'),
});
const scopeWs = new Scope({
  transport: ws(),
  authenticator: unauthenticated(),
  root,
  onSession: reportEnds('scopeWs'),
});
const http = createServer((request, response) => {
  // The plain requests' handler is the application's, not under attack: it only answers.
  response.writeHead(request.url === '/' ? 200 : 404, { 'content-type': 'text/plain' }).end();
});
await new Promise<void>((resolve) => http.listen({ host: '127.0.0.1', port: 0 }, resolve));
const httpPort = (http.address() as AddressInfo).port;
const scopeHttp = new Scope({
  transport: ws({ server: http }),
  authenticator: unauthenticated(),
  root,
  onSession: reportEnds('httpWs'),
});

const resumeScope = new Scope({
  transport: tcp(),
  authenticator: unauthenticated(),
  root,
  limits: { handshakeTimeoutMs: resumeTargetBounds.handshakeTimeoutMs },
  resume: {
    graceMs: resumeTargetBounds.graceMs,
    maxParkedSessions: resumeTargetBounds.maxParkedSessions,
    maxParkedBytes: resumeTargetBounds.maxParkedBytes,
  },
  onSession: reportEnds('resumeTcp'),
});

const known = await Promise.all(
  knownPlayers.map((player) => Identity.fromSecretKey(player.secretKey, { name: player.name })),
);
const identityScope = new Scope({
  transport: tcp(),
  authenticator: identityAuthenticator({
    identity: await Identity.generate({ name: 'target' }),
    admission: trustOnFirstUse({
      knownPeers: memoryKnownPeers(known.map((player) => player.publicIdentity)),
    }),
  }),
  root,
  onSession: reportEnds('identityTcp'),
});

const lobby = new LobbyServer({
  identity: await Identity.generate({ name: 'attacked lobby' }),
  gameHost: inProcessGameHost(),
  log: (line) => print('log', line),
  // Chat rates of a busy game (the defaults are 5 lines a second per launcher): the watcher attack
  // needs the host to say thousands of lines to reach the watchers' backlog limits.
  lobbyLimits: {
    chatLinesPerSecond: 300,
    chatBurst: 100,
    playerActionsPerSecond: 300,
    playerActionBurst: 100,
    // Each stalled session of the watcher attack opens 8 watchers of one game (the default share of
    // one key is 4): the attack is about the backlog bound, which needs them all watching.
    maxWatchersPerGamePerPlayer: 8,
  },
});
const web = await serveWeb(lobby, { script: '/* the browser client is not needed here */' });

const addresses = {
  scopeTcp: (await scopeTcp.listen('tcp:127.0.0.1:0')).address,
  scopeWs: (await scopeWs.listen('ws://127.0.0.1:0/msc')).address,
  httpWs: (await scopeHttp.listen('/msc')).address,
  httpUrl: `http://127.0.0.1:${httpPort}/`,
  resumeTcp: (await resumeScope.listen('tcp:127.0.0.1:0')).address,
  identityTcp: (await identityScope.listen('tcp:127.0.0.1:0')).address,
  lobbyTcp: await lobby.listen(tcp(), 'tcp:127.0.0.1:0'),
  lobbyWs: await lobby.listen(ws(), 'ws://127.0.0.1:0/lobby'),
  lobbyPage: web.url,
  lobbyWebWs: web.webSocketAddress,
};
print('ready', addresses);

const collect = globalThis.gc ?? (() => {});

// The worker SIPs of `sips/` speak values mode when their module enables it; the target offers it.
enableMessagePortValues();

/**
 * A worker SIP module of `sips/` bundled to JavaScript (Node 20 cannot load TypeScript in a worker), once
 * per module and target, into a directory of this worktree's own under the system's temporary directory
 * (written under a temporary name, then renamed: a concurrent target reads a whole file).
 */
const bundles = new Map<string, Promise<URL>>();
function bundledSip(module: string): Promise<URL> {
  let bundle = bundles.get(module);
  if (bundle === undefined) {
    bundle = (async () => {
      const { build } = await import('esbuild');
      const source = fileURLToPath(new URL(`./sips/${module}`, import.meta.url));
      const directory = join(
        tmpdir(),
        `msc-attack-sips-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`,
      );
      mkdirSync(directory, { recursive: true });
      const outfile = join(directory, module.replace(/\.ts$/, '.mjs'));
      const partial = `${outfile}.${process.pid}.partial`;
      await build({
        entryPoints: [source],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        conditions: ['@msc/source'],
        outfile: partial,
        logLevel: 'silent',
      });
      renameSync(partial, outfile);
      return pathToFileURL(outfile);
    })();
    bundles.set(module, bundle);
  }
  return bundle;
}

async function runHostileSip(kind: 'worker' | 'process', module: string, behaviour: string): Promise<void> {
  const url =
    kind === 'worker' && module.endsWith('.ts')
      ? await bundledSip(module)
      : new URL(`./sips/${module}`, import.meta.url);
  const sip = spawnSip(url, {
    kind,
    name: module,
    init: { behaviour },
    exitGraceMs: 1_000,
    // The garbage SIPs never complete a handshake (3 s ends them); the `.sip.ts` ones start as real
    // SIPs, whose worker (bundle and all) may take seconds to start on a loaded machine.
    sessionLimits: { handshakeTimeoutMs: module.endsWith('.sip.ts') ? 15_000 : 3_000 },
    ...(module.endsWith('.ts') ? { execArgv: ['--conditions=@msc/source', '--import', 'tsx'] } : {}),
  });
  const timer = setTimeout(
    () => void sip.terminate('the attack suite stopped this SIP'),
    module.endsWith('.sip.ts') ? 20_000 : 10_000,
  );
  const end = await sip.ended;
  clearTimeout(timer);
  print('sip-end', { cause: end.cause, message: end.message, session: end.session.code });
}

let goodSip: Sip<{ echo(value: unknown): Promise<unknown> }> | undefined;
async function callGoodSip(): Promise<void> {
  if (goodSip === undefined || goodSip.isEnded) {
    goodSip = spawnSip(await bundledSip('well-behaved.sip.ts'), { kind: 'worker', name: 'well-behaved' });
  }
  const started = performance.now();
  let answer: unknown;
  try {
    answer = await goodSip.root.echo('still there?');
  } catch (error) {
    answer = (error as Error).name;
  }
  print('good-sip', { answer, ms: Math.round(performance.now() - started) });
}

onCommandLines((line) => {
  const [command = '', ...rest] = line.split(' ');
  if (command === 'memory') {
    collect();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    print('memory', { rss, heapUsed, external, arrayBuffers });
  } else if (command === 'parked') {
    let parked = 0;
    let resumable = 0;
    for (const session of resumeScope.sessions) {
      const resumption = session.resumption;
      if (resumption?.state === 'parked') parked++;
      else if (resumption?.state === 'connected' && resumption.resumable) resumable++;
    }
    print('parked', { parked, resumable, sessions: resumeScope.sessions.size });
  } else if (command === 'sip') {
    const [kind, module = '', behaviour = ''] = rest;
    runHostileSip(kind === 'process' ? 'process' : 'worker', module, behaviour).catch((error: unknown) =>
      print('sip-end', { cause: 'spawn-failed', message: String(error) }),
    );
  } else if (command === 'good-sip') {
    callGoodSip().catch((error: unknown) => print('good-sip', { answer: String(error), ms: -1 }));
  } else if (command === 'known-peers') {
    knownPeersFile(rest.join(' '))
      .get('alice')
      .then(
        () => print('known-peers', { code: 'trusted' }),
        (error: unknown) =>
          print('known-peers', { code: (error as { code?: string }).code ?? String(error) }),
      );
  } else if (command === 'quit') {
    process.exit(0);
  }
});
