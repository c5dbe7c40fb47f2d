// Benchmark of @msc/sip: call latency and throughput between a parent and a worker SIP and a process SIP, beside
// the bare MessagePort and IPC echo floors, and SIP start-up time. Run: `pnpm --filter @msc/sip bench`.
// Numbers depend on the machine and its load; they are printed, never asserted.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { type SipKind, spawnSip } from '../src/index.ts';
import type { IEcho } from './fixtures/bench.sip.ts';

const sequentialCalls = 2_000;
const inFlight = 1_000;
const throughputRounds = 5;
const startups = 8;

interface Row {
  readonly what: string;
  readonly latencyMicroseconds: number;
  readonly callsPerSecond: number;
}

/** Mean round trip of `call` made one after the other, in microseconds. */
async function latency(call: (value: number) => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 200; index++) await call(index); // warm-up
  const begin = performance.now();
  for (let index = 0; index < sequentialCalls; index++) await call(index);
  return ((performance.now() - begin) * 1000) / sequentialCalls;
}

/** Calls per second with `inFlight` calls outstanding at once (best of a few rounds). */
async function throughput(call: (value: number) => Promise<unknown>): Promise<number> {
  let best = 0;
  for (let round = 0; round < throughputRounds; round++) {
    const begin = performance.now();
    await Promise.all(Array.from({ length: inFlight }, (_, index) => call(index)));
    best = Math.max(best, inFlight / ((performance.now() - begin) / 1000));
  }
  return best;
}

/** A correlating caller over a raw message channel: each message carries its id, the echo sends it back. */
function rawCaller(
  post: (message: Uint8Array) => void,
  subscribe: (listener: (message: Uint8Array) => void) => void,
) {
  const waiting = new Map<number, () => void>();
  subscribe((message) => {
    const id = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0);
    waiting.get(id)?.();
    waiting.delete(id);
  });
  let next = 0;
  return (_value: number) =>
    new Promise<void>((resolve) => {
      const id = next++;
      const frame = new Uint8Array(16);
      new DataView(frame.buffer).setUint32(0, id);
      waiting.set(id, resolve);
      post(frame);
    });
}

async function messagePortFloor(): Promise<Row> {
  const channel = new MessageChannel();
  const worker = new Worker(
    "const { workerData } = require('node:worker_threads'); workerData.port.on('message', (m) => workerData.port.postMessage(m));",
    { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2] },
  );
  const call = rawCaller(
    (frame) => channel.port1.postMessage(frame),
    (listener) => channel.port1.on('message', listener),
  );
  const row = {
    what: 'MessagePort echo (floor)',
    latencyMicroseconds: await latency(call),
    callsPerSecond: await throughput(call),
  };
  channel.port1.close();
  await worker.terminate();
  return row;
}

async function ipcFloor(): Promise<Row> {
  const child: ChildProcess = fork(new URL('../test/fixtures/ipc-echo.mjs', import.meta.url), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {},
  });
  const call = rawCaller(
    (frame) => child.send(frame),
    (listener) => child.on('message', listener as (message: unknown) => void),
  );
  const row = {
    what: 'IPC echo (floor)',
    latencyMicroseconds: await latency(call),
    callsPerSecond: await throughput(call),
  };
  child.kill('SIGKILL');
  return row;
}

async function sipRow(module: string, kind: SipKind): Promise<Row> {
  const sip = spawnSip<IEcho>(module, { kind, name: `bench-${kind}` });
  await sip.established;
  const call = (value: number) => sip.root.echo(value);
  const row = {
    what: `${kind} SIP call`,
    latencyMicroseconds: await latency(call),
    callsPerSecond: await throughput(call),
  };
  await sip.terminate();
  return row;
}

/** Milliseconds from spawnSip() to the first answer, median of a few, one SIP at a time. */
async function startup(module: string, kind: SipKind): Promise<{ median: number; terminateMedian: number }> {
  const times: number[] = [];
  const terminations: number[] = [];
  for (let index = 0; index < startups; index++) {
    const begin = performance.now();
    const sip = spawnSip<IEcho>(module, { kind });
    await sip.root.echo(index);
    times.push(performance.now() - begin);
    const terminating = performance.now();
    await sip.terminate();
    terminations.push(performance.now() - terminating);
  }
  const median = (values: number[]) =>
    values.sort((left, right) => left - right)[Math.floor(values.length / 2)]!;
  return { median: median(times), terminateMedian: median(terminations) };
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'msc-sip-bench-'));
  try {
    await build({
      entryPoints: { 'bench-sip': new URL('./fixtures/bench.sip.ts', import.meta.url).pathname },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@msc/source'],
      outdir: directory,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    const module = pathToFileURL(join(directory, 'bench-sip.mjs')).href;
    const rows = [
      await messagePortFloor(),
      await sipRow(module, 'worker'),
      await ipcFloor(),
      await sipRow(module, 'process'),
    ];
    console.log(
      `calls: ${sequentialCalls} sequential for latency; ${inFlight} in flight for throughput (best of ${throughputRounds})`,
    );
    console.table(
      rows.map((row) => ({
        what: row.what,
        'latency (µs/call)': Number(row.latencyMicroseconds.toFixed(1)),
        'throughput (calls/s)': Math.round(row.callsPerSecond),
      })),
    );
    const worker = await startup(module, 'worker');
    const process = await startup(module, 'process');
    console.log(
      `start-up to first answer (median of ${startups}): worker ${worker.median.toFixed(1)} ms, process ${process.median.toFixed(1)} ms`,
    );
    console.log(
      `terminate() (median of ${startups}): worker ${worker.terminateMedian.toFixed(1)} ms, process ${process.terminateMedian.toFixed(1)} ms`,
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
