// The lobby's page server (HTTP, and the WebSocket upgrades on its port) attacked over loopback in
// a real server process: request-targets Node's parser accepts but `new URL()` rejects, malformed
// requests and upgrades. After every attack the process must live and the page still be served
// with its security headers.
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { requestPath } from '../src/web/request-target.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

/** Sends `bytes` raw and collects the answer until the server closes (or 3 s pass). */
function rawRequest(server: ServerProcess, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.pageHost, port: server.pagePort });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, 3_000);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes, 'latin1');
  });
}

const upgradeHeaders =
  'Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Request-targets and requests that once ended the process, or might: each is one attack. */
const attacks: readonly { readonly name: string; readonly bytes: string; readonly status?: RegExp }[] = [
  {
    name: 'a 30-byte request with a target new URL() rejects',
    bytes: 'GET //[ HTTP/1.1\r\nHost: a\r\n\r\n',
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an absolute-form target with a bad host',
    bytes: 'GET http://[ HTTP/1.1\r\nHost: a\r\n\r\n',
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an asterisk-form target',
    bytes: 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a scheme-relative target',
    bytes: 'GET //evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n',
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an upgrade with a target new URL() rejects',
    bytes: `GET //[ HTTP/1.1\r\n${upgradeHeaders}`,
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an upgrade with an absolute-form bad target',
    bytes: `GET http://[/msc HTTP/1.1\r\n${upgradeHeaders}`,
    status: /^HTTP\/1\.1 400/,
  },
  { name: 'an upgrade of an unknown path', bytes: `GET /nope HTTP/1.1\r\n${upgradeHeaders}` },
  {
    name: 'an upgrade to the endpoint from a foreign origin',
    bytes: `GET /msc HTTP/1.1\r\nOrigin: http://evil.example\r\n${upgradeHeaders}`,
  },
  {
    name: 'an upgrade with a bad key',
    bytes:
      'GET /msc HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n',
  },
  {
    name: 'a request line that is garbage',
    bytes: '\x00\x01\x02 / HTTP/1.1\r\n\r\n',
    status: /^HTTP\/1\.1 400/,
  },
  { name: 'a header without a colon', bytes: 'GET / HTTP/1.1\r\nHost a\r\n\r\n', status: /^HTTP\/1\.1 400/ },
  {
    name: 'a header block over 16 KiB',
    bytes: `GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
    status: /^HTTP\/1\.1 431/,
  },
  {
    name: 'a body with a bad chunk size',
    bytes: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    status: /^HTTP\/1\.1 (400|405)/,
  },
  {
    name: 'a method the page does not serve',
    bytes: 'DELETE / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    status: /^HTTP\/1\.1 405/,
  },
  {
    name: 'a percent-encoding that does not decode',
    bytes: 'GET /%zz%ff%00?%%% HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    status: /^HTTP\/1\.1 404/,
  },
  { name: 'a request cut off in the head', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nX-Half' },
];

describe('the page server under hostile requests', () => {
  test('every attack gets an HTTP error or a closed socket, the process lives, the page is still served', async () => {
    const server = await startServerProcess();
    for (const attack of attacks) {
      const answer = await rawRequest(server, attack.bytes);
      if (attack.status !== undefined) expect(answer, attack.name).toMatch(attack.status);
      expect(answer, attack.name).not.toMatch(/^HTTP\/1\.1 101/);
      expect(server.alive(), `the process lives after ${attack.name}`).toBe(true);
    }
    const page = await fetch(server.page);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>MSC lobby</title>');
    expect(server.output()).not.toMatch(/Uncaught|TypeError: Invalid URL/);
  }, 60_000);

  test('the page, its script and its style sheet carry a CSP, nosniff and frame-ancestors', async () => {
    const server = await startServerProcess();
    for (const [path, type] of [
      ['', 'text/html'],
      ['lobby.js', 'text/javascript'],
      ['lobby.css', 'text/css'],
      ['missing', 'text/plain'],
    ] as const) {
      const response = await fetch(`${server.page}${path}`);
      expect(response.headers.get('content-type')).toContain(type);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      await response.arrayBuffer();
    }
  }, 30_000);
});

describe('requestPath', () => {
  test('accepts the origin form and nothing else', () => {
    expect(requestPath('/')).toBe('/');
    expect(requestPath('/lobby.js?x=1#y')).toBe('/lobby.js');
    for (const target of [undefined, '', '*', '//[', 'http://[', 'http://a/', '//a/b', 'a/b'])
      expect(requestPath(target), String(target)).toBeUndefined();
  });
});
