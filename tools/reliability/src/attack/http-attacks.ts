import fc from 'fast-check';
import type { Attack, AttackContext } from './attack.ts';
import { hostAndPort, httpExchange, upgradeRequest } from './raw-socket.ts';
import type { TargetAddresses } from './target-process.ts';

/**
 * Class 1: request-targets that Node's HTTP parser accepts but `new URL()` rejects, sent to every HTTP
 * path of the target: the `ws()` listener on a port of its own, the `ws({ server })` endpoint attached
 * to an `http.Server`, the lobby's page server, and the lobby's WebSocket endpoint on that page server.
 * Fixed: every one is answered with an HTTP error or its socket is closed; nothing throws out of a
 * handler.
 */
const hostileTargets = ['http://[::1', '//a:b@'] as const;

/** The HTTP endpoints of the target, with whether a request there is a WebSocket upgrade. */
const httpEndpoints: readonly { key: keyof TargetAddresses; upgrade: boolean }[] = [
  { key: 'scopeWs', upgrade: true },
  { key: 'httpWs', upgrade: true },
  { key: 'lobbyPage', upgrade: false },
  { key: 'lobbyWebWs', upgrade: true },
];

/** The answers that count as held for an HTTP attack: an error status, or a closed socket. */
const httpRefusals = ['http-4xx', 'closed'];

function requestWith(address: string, requestTarget: string, upgrade: boolean): string {
  const { host, port } = hostAndPort(address);
  if (upgrade) return upgradeRequest(host, port, requestTarget);
  return `GET ${requestTarget} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`;
}

const requestTargetAttacks: Attack[] = httpEndpoints.flatMap(({ key, upgrade }) =>
  hostileTargets.map(
    (requestTarget): Attack => ({
      id: `request-target-${key}-${requestTarget.startsWith('http') ? 'ipv6' : 'userinfo'}`,
      attackClass: 1,
      description: `\`GET ${requestTarget} HTTP/1.1\`${upgrade ? ' with `Upgrade: websocket`' : ''}`,
      endpoint: key,
      expected: httpRefusals,
      memoryBoundMiB: 16,
      run: async ({ target }) => {
        const address = target.addresses[key];
        return httpExchange(address, requestWith(address, requestTarget, upgrade));
      },
    }),
  ),
);

/** Pieces the fuzzer builds requests from: what parsers and URL routers trip over. */
const requestTargetArbitrary = fc.oneof(
  fc.constantFrom(
    '/',
    '/msc',
    '*',
    '//',
    '///msc',
    'http://[::1',
    'http://[',
    '//a:b@',
    '//@',
    'http://a:b@c:99999/msc',
    'http://%/',
    '/%00',
    '/%',
    '/msc?%',
    '/msc#',
    'ws://127.0.0.1/msc',
    'http://[::ffff:999.0.0.1]/',
    '\\\\',
    '/..%2f..%2f',
    'file:///etc/passwd',
  ),
  fc
    .string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 })
    .map((text) => text.replace(/[\r\n ]/g, '')),
  fc
    .tuple(fc.constantFrom('/', '//', 'http://', 'http://[', 'ws://'), fc.string({ maxLength: 20 }))
    .map(([prefix, rest]) => `${prefix}${rest.replace(/[\r\n ]/g, '')}`),
);

const headerArbitrary = fc.oneof(
  fc.constantFrom(
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Connection: upgrade, keep-alive',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Version: 999',
    'Sec-WebSocket-Key: ',
    'Sec-WebSocket-Key: not base64 at all',
    'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==',
    'Sec-WebSocket-Protocol: ,,,',
    'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=0',
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99',
    'Origin: null',
    'Origin: http://[::1',
    'Host: [::1',
    'Host: ',
    'Content-Length: 99999999999',
    'Content-Length: -1',
    'Transfer-Encoding: chunked',
    'Expect: 100-continue',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ unit: 'binary-ascii', maxLength: 60 }))
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, '')}`),
);

const requestArbitrary = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'OPTIONS', 'CONNECT', 'PRI', 'get'),
  requestTarget: requestTargetArbitrary,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x'),
  upgrade: fc.boolean(),
  headers: fc.array(headerArbitrary, { maxLength: 6 }),
});

/** The answers the fuzzer accepts: any status line (an upgrade may succeed), or a closed socket. */
const fuzzAnswers = new Set(['http-1xx', 'http-2xx', 'http-3xx', 'http-4xx', 'closed']);

/**
 * Class 1's fuzzer: fast-check request lines, headers and upgrades (20 per endpoint and scale unit)
 * against the `ws()` listener, the `http.Server`-attached endpoint and the lobby's page server. Names
 * `answered` when every request got a status line or a closed socket; else the first other answer
 * (`no-answer`, `refused` once the target died, `garbage`).
 */
async function fuzzHttp(context: AttackContext): Promise<string> {
  const endpoints: (keyof TargetAddresses)[] = ['scopeWs', 'httpWs', 'lobbyPage'];
  const runs = 20 * context.scale;
  for (const key of endpoints) {
    const address = context.target.addresses[key];
    const { host, port, path } = hostAndPort(address);
    const samples = fc.sample(requestArbitrary, { numRuns: runs, seed: 14 + runs });
    for (const sample of samples) {
      const headers = [
        `Host: ${host}:${port}`,
        ...(sample.upgrade
          ? [
              'Upgrade: websocket',
              'Connection: Upgrade',
              'Sec-WebSocket-Version: 13',
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
            ]
          : []),
        ...sample.headers,
      ];
      const requestTarget = sample.requestTarget === '/' && key !== 'lobbyPage' ? path : sample.requestTarget;
      const request = `${sample.method} ${requestTarget} ${sample.version}\r\n${headers.join('\r\n')}\r\n\r\n`;
      const answer = await httpExchange(address, request, 2_000);
      if (!fuzzAnswers.has(answer)) return `${answer} (${key}: ${JSON.stringify(request.split('\r\n')[0])})`;
    }
  }
  return 'answered';
}

/** Class 1: every attack on the HTTP paths, and the fuzzer. */
export const httpAttacks: readonly Attack[] = [
  ...requestTargetAttacks,
  {
    id: 'http-fuzz',
    attackClass: 1,
    description:
      'fuzzed request lines, headers and upgrades (fast-check) against the `ws()` listener, the attached endpoint and the page server',
    endpoint: 'scopeWs, httpWs, lobbyPage',
    expected: ['answered'],
    memoryBoundMiB: 32,
    timeoutMs: 60_000,
    run: fuzzHttp,
  },
];
