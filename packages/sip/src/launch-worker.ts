import { MessageChannel, type ResourceLimits, Worker } from 'node:worker_threads';
import { messagePortConnection } from '@msc/transport-memory';
import { type SipMessage, sipMessageFrom, type WorkerLaunch } from './launch-protocol.ts';
import type { Launched, RawExit } from './launched.ts';
import type { SipResourceLimits } from './sip-options.ts';

/** What `launchWorker()` needs. */
export interface WorkerLaunchOptions {
  readonly url: URL;
  readonly name: string;
  readonly init: Uint8Array;
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly resourceLimits: SipResourceLimits | undefined;
}

function workerLimits(limits: SipResourceLimits | undefined): ResourceLimits | undefined {
  if (limits === undefined) return undefined;
  const result: ResourceLimits = {};
  if (limits.maxOldGenerationSizeMb !== undefined)
    result.maxOldGenerationSizeMb = limits.maxOldGenerationSizeMb;
  if (limits.maxYoungGenerationSizeMb !== undefined) {
    result.maxYoungGenerationSizeMb = limits.maxYoungGenerationSizeMb;
  }
  if (limits.codeRangeSizeMb !== undefined) result.codeRangeSizeMb = limits.codeRangeSizeMb;
  if (limits.stackSizeMb !== undefined) result.stackSizeMb = limits.stackSizeMb;
  return result;
}

/**
 * Starts a worker thread running the SIP module. The session travels over a fresh MessageChannel whose far port
 * is transferred in `workerData` with the serialized init data and the name: nothing else crosses (no inherited
 * `execArgv`, an environment of its own).
 */
export function launchWorker(options: WorkerLaunchOptions): Launched {
  const channel = new MessageChannel();
  const workerData: WorkerLaunch = {
    mscSip: { port: channel.port2, init: options.init, name: options.name },
  };
  const limits = workerLimits(options.resourceLimits);
  const worker = new Worker(options.url, {
    workerData,
    transferList: [channel.port2],
    execArgv: [...options.execArgv],
    env: { ...options.env },
    ...(limits === undefined ? {} : { resourceLimits: limits }),
    // Recent Node versions show it in diagnostics; older ones ignore it.
    ...({ name: options.name } as object),
  });
  const connection = messagePortConnection(channel.port1, {
    localAddress: `sip:${options.name}#parent`,
    remoteAddress: `sip:${options.name}#worker-${worker.threadId}`,
  });
  const listeners: ((message: SipMessage) => void)[] = [];
  let error: Error | undefined;
  let gone = false;
  worker.on('error', (reported: Error) => {
    error ??= reported;
  });
  worker.on('message', (value: unknown) => {
    const message = sipMessageFrom(value);
    if (message === undefined) return;
    for (const listener of listeners) listener(message);
  });
  const exited = new Promise<RawExit>((resolve) => {
    worker.once('exit', (exitCode: number) => {
      gone = true;
      resolve({ exitCode, ...(error === undefined ? {} : { error }) });
    });
  });
  return {
    connection,
    pid: process.pid,
    threadId: worker.threadId,
    exited,
    kill: () => {
      // terminate() stops JavaScript in the thread even inside an endless loop; 'exit' follows once it is gone.
      if (!gone) void worker.terminate();
    },
    onMessage: (listener) => {
      listeners.push(listener);
    },
  };
}
