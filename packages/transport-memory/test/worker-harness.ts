import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort as NodeMessagePort, Worker } from 'node:worker_threads';
import { build } from 'esbuild';

/**
 * Bundles a TypeScript worker fixture (reading workspace sources through the `@msc/source` condition) into a
 * temporary ESM file, because Node 20 cannot run TypeScript in a worker by itself.
 */
export async function bundleWorker(fixture: string): Promise<{ file: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'msc-transport-memory-'));
  const file = join(directory, 'worker.mjs');
  await build({
    entryPoints: [new URL(`./fixtures/${fixture}`, import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@msc/source'],
    outfile: file,
    logLevel: 'silent',
  });
  return { file, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** Starts `file` in a worker thread and hands it one end of a new MessageChannel as `workerData.port`. */
export function startWorkerWithPort(file: string): { worker: Worker; port: NodeMessagePort } {
  const channel = new MessageChannel();
  const worker = new Worker(file, {
    workerData: { port: channel.port2 },
    transferList: [channel.port2],
  });
  return { worker, port: channel.port1 };
}
