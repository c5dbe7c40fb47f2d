import { deserialize } from 'node:v8';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { nothing, type Proxy, Resolver } from '@msc/eventual';
import {
  Session,
  SessionError,
  type SessionLimitOverrides,
  type SessionOptions,
  unauthenticated,
} from '@msc/session';
import type { Connection } from '@msc/transport';
import { messagePortConnection } from '@msc/transport-memory';
import { ipcConnection } from './ipc-connection.ts';
import { killProcessSips } from './launch-process.ts';
import {
  isLaunchProtocol,
  processMarker,
  reportError,
  type SipMessage,
  type WorkerLaunch,
} from './launch-protocol.ts';
import { setParentLink } from './parent-link.ts';
import { SipError } from './sip-error.ts';
import type { SipKind } from './sip-options.ts';

/** What a SIP's main function receives. */
export interface SipContext<Parent = unknown, Init = unknown> {
  /**
   * The parent's root capability (`Nothing` when it offered none). Usable at once. When the session ends its calls
   * fail with `AbortedError` (and the SIP exits right after).
   */
  readonly parent: Proxy<Parent>;
  /** The init data, copied by value. */
  readonly init: Init;
  /** The SIP's name, as the parent gave it. */
  readonly name: string;
  /** Whether this SIP is a worker thread or a child process. */
  readonly kind: SipKind;
  /**
   * Aborted (with a `SessionError`) when the session with the parent ends, just before the SIP exits. Listeners run
   * synchronously, so they can record what they must; nothing asynchronous of the SIP runs after it.
   */
  readonly signal: AbortSignal;
}

/**
 * A SIP's main function: receives the {@link SipContext} and returns the SIP's root capability (or `undefined`
 * for `Nothing`), directly or through a promise. Calls the parent makes on the root before it is returned wait,
 * in order. If it throws, the SIP ends with cause `uncaught-error`.
 */
export type SipMain<Parent = unknown, Init = unknown> = (
  context: SipContext<Parent, Init>,
) => Proxy<unknown> | undefined | Promise<Proxy<unknown> | undefined>;

/** Options of {@link runSip}: the SIP's side of the session. */
export interface RunSipOptions {
  /** Limits of the SIP's side of the session. */
  sessionLimits?: SessionLimitOverrides | undefined;
  /** Data contracts and error classes known to the SIP's side of the session. */
  registry?: SessionOptions['registry'] | undefined;
  /** Message tracing of the SIP's side of the session. Default: off. */
  trace?: SessionOptions['trace'] | undefined;
  /**
   * Call tracing of the SIP's side of the session (`SessionOptions.callTracer`): its spans link to the parent's by the
   * trace context each call carries. Default: the tracer `installCallTracer()` installed in the SIP before `runSip()`,
   * else none.
   */
  callTracer?: SessionOptions['callTracer'];
}

let running = false;

/**
 * The entry of a SIP module: connects to the parent that started this thread or process with `spawnSip()`, calls
 * `main` with the parent's root and the init data, and offers what `main` returns as the SIP's root.
 *
 * The SIP ends (exit code 0) as soon as its session with the parent ends, for whatever reason. In a process SIP,
 * an uncaught exception or unhandled rejection is reported to the parent and ends the process (exit code 1);
 * so does the parent vanishing (the IPC channel closing), which also kills the SIP's process group (what it started).
 * When the process exits, the process SIPs it started are killed with it.
 *
 * @example
 * ```ts
 * // game.sip.ts, started with spawnSip(new URL('./game.sip.js', import.meta.url), { root: lobby, init: { seed: 7 } })
 * runSip<ILobby, { seed: number }>(({ parent, init }) => proxy<IGame>(new Game(parent, init.seed)));
 * ```
 *
 * @param main builds the SIP's root from the context; see {@link SipMain}
 * @param options the SIP's side of the session; see {@link RunSipOptions}
 * @throws SipError `not-a-sip` when this thread or process was not started by `spawnSip()`, or `runSip()` was
 *   already called here
 */
export function runSip<Parent = unknown, Init = unknown>(
  main: SipMain<Parent, Init>,
  options: RunSipOptions = {},
): void {
  if (running)
    throw new SipError('not-a-sip', 'expected runSip() to be called once per SIP, but it was called again');
  const launch = isMainThread ? undefined : (workerData as Partial<WorkerLaunch> | undefined)?.mscSip;
  if (launch !== undefined) {
    running = true;
    const report = (message: SipMessage) => parentPort?.postMessage(message);
    setParentLink(report);
    const connection = messagePortConnection(launch.port, {
      localAddress: `sip:${launch.name}#worker`,
      remoteAddress: `sip:${launch.name}#parent`,
    });
    start(connection, deserialize(launch.init) as Init, launch.name, 'worker', main, options);
    return;
  }
  if (isMainThread && typeof process.send === 'function' && process.argv.includes(processMarker)) {
    running = true;
    runInProcess(main, options);
    return;
  }
  throw new SipError(
    'not-a-sip',
    'expected runSip() to run in a worker thread or child process started by spawnSip(), but this one was not',
  );
}

function runInProcess<Parent, Init>(main: SipMain<Parent, Init>, options: RunSipOptions): void {
  const send = (message: SipMessage): boolean => process.send?.(message) ?? false;
  setParentLink(send);
  process.on('uncaughtException', (error: unknown, origin: string) => {
    // Report first (a small message on an idle channel is written at once), then end: nothing else of the SIP runs.
    let sent = false;
    try {
      sent = send({ mscSip: 'fatal', error: reportError(error), origin });
    } catch {
      // The channel is gone; stderr is all that is left.
    }
    if (!sent) process.stderr.write(`uncaught error in SIP: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
  process.on('disconnect', () => {
    // The parent is gone (or dropped us): a SIP has nobody else to talk to. A parent that died cannot kill our
    // process group any more, so we do: the processes this SIP started go with it (and so does this process, at
    // once; when it does not lead a group of its own, there is no such group and it exits as usual).
    killProcessSips();
    if (process.platform !== 'win32') {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        // Not a group leader (started by an older parent): nothing to end but ourselves.
      }
    }
    process.exit(0);
  });
  process.on('exit', killProcessSips);
  // Listening now: Node drops IPC messages that arrive while nobody listens.
  const connection = ipcConnection(process, {
    localAddress: 'sip:process#child',
    remoteAddress: 'sip:parent',
  });
  const onLaunch = (message: unknown) => {
    if (!isLaunchProtocol(message) || message.mscSip !== 'launch') return;
    process.off('message', onLaunch);
    process.title = `sip:${message.name}`.slice(0, 64);
    start(connection, deserialize(message.init) as Init, message.name, 'process', main, options);
  };
  process.on('message', onLaunch);
  send({ mscSip: 'ready' });
}

function start<Parent, Init>(
  connection: Connection,
  init: Init,
  name: string,
  kind: SipKind,
  main: SipMain<Parent, Init>,
  options: RunSipOptions,
): void {
  // The root is a promise for what main() returns: the parent can call it at once, calls wait in order.
  const root = new Resolver<Proxy<unknown>>();
  const rootProxy = root.proxy();
  const session = new Session({
    connection,
    role: 'listener',
    authenticator: unauthenticated(),
    root: rootProxy,
    ...(options.sessionLimits === undefined ? {} : { limits: options.sessionLimits }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    ...(options.callTracer === undefined ? {} : { callTracer: options.callTracer }),
  });
  rootProxy[Symbol.dispose](); // the session holds its own reference
  const controller = new AbortController();
  void session.closed.then((reason) => {
    controller.abort(new SessionError(reason));
    // Definitive: a SIP lives exactly as long as its session with the parent.
    process.exit(0);
  });
  const context: SipContext<Parent, Init> = {
    parent: session.remoteRoot<Parent>(),
    init,
    name,
    kind,
    signal: controller.signal,
  };
  Promise.resolve()
    .then(() => main(context))
    .then(
      (value) => {
        root.resolve(value ?? nothing());
        value?.[Symbol.dispose]();
      },
      (error: unknown) => {
        root.reject(error);
        // A SIP whose main function failed is broken: end it as an uncaught error, so the parent learns why.
        queueMicrotask(() => {
          throw error;
        });
      },
    );
}
