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
 *   parked                    print `parked <json {parked, sessions}>`: the resumable scope's sessions that
 *                             are parked now, and all its sessions
 *   memory                    collect garbage, print `memory <json {rss, heapUsed, external, arrayBuffers}>`
 *   sip <kind> <module file>  spawn a SIP (worker or process) running `sips/<module file>`, wait for its
 *                             end (at most 10 s, then terminate it) and print `sip-end <json {cause, message}>`
 *   known-peers <path>        read the known-peers file at <path> (`knownPeersFile`) and print
 *                             `known-peers <json {code}>`: `trusted` when it was read, else the error's code
 *   quit                      exit at once
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxy } from '@msc/eventual';
import { Identity, identityAuthenticator, memoryKnownPeers, trustOnFirstUse } from '@msc/identity';
import { knownPeersFile } from '@msc/identity/node';
import { inProcessGameHost, LobbyServer } from '@msc/lobby/server';
import { serveWeb } from '@msc/lobby/web';
import { Scope, type Session, unauthenticated } from '@msc/session';
import { spawnSip } from '@msc/sip';
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

async function runHostileSip(kind: 'worker' | 'process', module: string): Promise<void> {
  const sip = spawnSip(new URL(`./sips/${module}`, import.meta.url), {
    kind,
    name: module,
    exitGraceMs: 1_000,
    sessionLimits: { handshakeTimeoutMs: 3_000 },
    ...(module.endsWith('.ts') ? { execArgv: ['--conditions=@msc/source', '--import', 'tsx'] } : {}),
  });
  const timer = setTimeout(() => void sip.terminate('the attack suite stopped this SIP'), 10_000);
  const end = await sip.ended;
  clearTimeout(timer);
  print('sip-end', { cause: end.cause, message: end.message });
}

onCommandLines((line) => {
  const [command = '', ...rest] = line.split(' ');
  if (command === 'memory') {
    collect();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    print('memory', { rss, heapUsed, external, arrayBuffers });
  } else if (command === 'parked') {
    let parked = 0;
    for (const session of resumeScope.sessions) if (session.resumption?.state === 'parked') parked++;
    print('parked', { parked, sessions: resumeScope.sessions.size });
  } else if (command === 'sip') {
    const [kind, module = ''] = rest;
    runHostileSip(kind === 'process' ? 'process' : 'worker', module).catch((error: unknown) =>
      print('sip-end', { cause: 'spawn-failed', message: String(error) }),
    );
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
