import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@msc/transport';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ws } from '../src/index.ts';
import { testCertificate } from './fixtures/tls-fixture.ts';
import { fuzzHttp, type HttpFuzzTarget } from './http-fuzzer.ts';

/** Replay a failure with MSC_FUZZ_SEED; raise MSC_FUZZ_CASES for a longer run. */
const seed = Number(process.env['MSC_FUZZ_SEED'] ?? 14);
const cases = Number(process.env['MSC_FUZZ_CASES'] ?? 2_000);

interface TargetAddresses {
  readonly own: string;
  readonly secure: string;
  readonly attached: string;
  readonly restricted: string;
  readonly port: number;
}

let directory: string;
let child: ChildProcess;
let stderr = '';
let addresses: TargetAddresses;
const bystanders: Connection[] = [];
const echoes = new Map<Connection, ((text: string) => void)[]>();

/** Starts the fuzz target (test/fixtures/http-fuzz-target.ts, bundled) as a child process. */
async function startTarget(): Promise<void> {
  directory = await mkdtemp(join(tmpdir(), 'msc-http-fuzz-'));
  await build({
    entryPoints: { target: new URL('./fixtures/http-fuzz-target.ts', import.meta.url).pathname },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@msc/source'],
    outdir: directory,
    outExtension: { '.js': '.mjs' },
    // ws is CommonJS: its require() calls of Node built-ins need a real require in an ES module bundle.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'silent',
  });
  const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
  child = spawn(
    process.execPath,
    [join(directory, 'target.mjs'), fixture('test-only-key.pem'), fixture('test-only-cert.pem')],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  addresses = await new Promise<TargetAddresses>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const newline = output.indexOf('\n');
      if (newline !== -1) resolve(JSON.parse(output.slice(0, newline)) as TargetAddresses);
    });
    child.once('exit', (code) =>
      reject(new Error(`the fuzz target exited (${code}) before it listened: ${stderr}`)),
    );
  });
}

/** A WebSocket session to the target that must keep answering through the fuzzing. */
async function bystander(address: string): Promise<Connection> {
  const connection = await ws({ tls: { ca: testCertificate } }).dial(address, { timeoutMs: 5_000 });
  const waiting: ((text: string) => void)[] = [];
  echoes.set(connection, waiting);
  connection.start({
    frame: (frame) => waiting.shift()?.(new TextDecoder().decode(frame)),
    closed: () => {},
  });
  bystanders.push(connection);
  return connection;
}

/** Sends `text` on a bystander and waits for its echo. */
function roundTrip(connection: Connection, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`expected the bystander on ${connection.remoteAddress} to echo within 5 s`)),
      5_000,
    );
    echoes.get(connection)!.push((echoed) => {
      clearTimeout(timer);
      resolve(echoed);
    });
    connection.send(new TextEncoder().encode(text));
  });
}

/** Fails with the child's stderr when the target process is gone, and checks that every bystander answers. */
async function targetAnswers(round: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(
      `the target process ended (${child.exitCode ?? child.signalCode}); its stderr: ${stderr}`,
    );
  }
  for (const connection of bystanders) {
    const text = `round ${round}`;
    expect(await roundTrip(connection, text)).toBe(text);
  }
}

/** Sends `request` on a raw socket and resolves with the status line (or `closed`). */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed'));
    socket.write(request);
    setTimeout(() => socket.destroy(), 1_000);
  });
}

beforeAll(async () => {
  await startTarget();
  await bystander(addresses.own);
  await bystander(addresses.secure);
  await bystander(addresses.attached);
});

afterAll(async () => {
  for (const connection of bystanders) connection.abort();
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  }
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
});

describe('HTTP and TLS input that cannot take a ws() listener down', () => {
  it.each([
    ['//', 'own', 404],
    ['//', 'attached', 404],
    ['http://[', 'own', 400],
    ['http://[', 'attached', 400],
    ['*', 'attached', 400],
  ] as const)(
    'an upgrade to request-target %s on the %s endpoint gets HTTP %d',
    async (target, which, status) => {
      const port = which === 'own' ? Number(new URL(addresses.own).port) : addresses.port;
      const answer = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      expect(answer).toBe(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}`);
      await targetAnswers(0);
    },
  );

  it(`${cases} fuzzed requests (seed ${seed}) leave the process running and the bystander sessions answering`, async () => {
    const paths = (address: string) => [new URL(address).pathname];
    const ownPort = Number(new URL(addresses.own).port);
    const targets: HttpFuzzTarget[] = [
      { host: '127.0.0.1', port: ownPort, paths: paths(addresses.own) },
      // Plain bytes to a TLS port: every case is a failed TLS handshake.
      { host: '127.0.0.1', port: Number(new URL(addresses.secure).port), paths: paths(addresses.secure) },
      {
        host: '127.0.0.1',
        port: addresses.port,
        paths: [...paths(addresses.attached), ...paths(addresses.restricted), '/'],
      },
    ];
    const result = await fuzzHttp(targets, { seed, cases, check: targetAnswers });
    expect(result.cases).toBe(cases);
    // The cases reach every layer: accepted upgrades, ws's own refusals, the router's, Node's parser's.
    for (const outcome of ['HTTP 101', 'HTTP 400', 'HTTP 404', 'HTTP 403', 'HTTP 426', 'HTTP 200']) {
      expect(
        result.outcomes[outcome] ?? 0,
        `${outcome} in ${JSON.stringify(result.outcomes)}`,
      ).toBeGreaterThan(0);
    }
    await targetAnswers(-1);
  }, 120_000);
});
