import { existsSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import type { Proxy } from '@msc/eventual';
import { Session, type SessionStats, type TerminationReason, unauthenticated } from '@msc/session';
import { describeError } from '@msc/transport/kit';
import { launchProcess } from './launch-process.ts';
import type { SipMessage } from './launch-protocol.ts';
import { launchWorker } from './launch-worker.ts';
import type { Launched, RawExit } from './launched.ts';
import { insideSip, reportToParent } from './parent-link.ts';
import { descendsFrom } from './process-group.ts';
import { killProcesses } from './process-liveness.ts';
import type { Sip } from './sip.ts';
import type { SipEnd, SipEndCause } from './sip-end.ts';
import { SipError } from './sip-error.ts';
import type { SipKind, SipOptions } from './sip-options.ts';

/** After the SIP is gone, how long its connection may take to deliver what it had sent, in milliseconds. */
const connectionDrainMs = 500;
const outOfMemoryPattern = /JavaScript heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY/;

/** Turns a module reference into a URL: URLs and `scheme:` strings as they are, anything else as a file path. */
function moduleUrl(module: URL | string): URL {
  if (module instanceof URL) return module;
  if (/^[a-z][a-z0-9+.-]+:/i.test(module)) return new URL(module);
  return pathToFileURL(resolvePath(module));
}

function serializeInit(init: unknown): Uint8Array {
  try {
    return serialize(init);
  } catch (error) {
    const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SipError(
      'init-not-serializable',
      `expected init data that can be copied by value (plain data, Maps, Sets, Dates, typed arrays), but got ` +
        `something that cannot: ${what}`,
      error,
    );
  }
}

function checkLimits(options: SipOptions): void {
  for (const [name, value] of Object.entries(options.resourceLimits ?? {})) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      throw new SipError(
        'bad-options',
        `expected resourceLimits.${name} to be a positive number, but got ${value}`,
      );
    }
  }
  if (options.exitGraceMs !== undefined && !(options.exitGraceMs >= 0)) {
    throw new SipError(
      'bad-options',
      `expected exitGraceMs to be at least 0, but got ${options.exitGraceMs}`,
    );
  }
}

/**
 * Starts a SIP: a worker thread or a child process running the module at `module`, which calls `runSip()`. The
 * parent and the SIP are connected by a session at once; each side receives the other's root capability. Returns
 * the handle without waiting: `sip.root` is usable at once, its calls are sent once the SIP has started.
 *
 * Only the serialized `init` data and the `root` capability cross into the SIP (see {@link SipOptions}). A SIP is
 * a failure domain: whatever ends it (an uncaught error, an unhandled rejection, its memory limit, `process.exit`,
 * a signal, `terminate()`), the parent carries on; every eventual value of the parent that spanned its session
 * aborts with `AbortedError`, and `sip.ended` says why.
 *
 * @param module the SIP module: a URL (`new URL('./game.sip.js', import.meta.url)`) or a file path; a process SIP
 *   needs a file. The module must be runnable by Node as it is (JavaScript, or TypeScript with a loader in
 *   `execArgv` for a process SIP).
 * @param options kind, parent root, init data, limits, name…; see {@link SipOptions}
 * @throws SipError `module-not-found` (a `file:` module that does not exist), `init-not-serializable`,
 *   `bad-options` (a non-positive limit, a process SIP from a non-file URL)
 */
export function spawnSip<I = unknown, Init = unknown>(
  module: URL | string,
  options: SipOptions<Init> = {},
): Sip<I> {
  const kind: SipKind = options.kind ?? 'worker';
  if (kind !== 'worker' && kind !== 'process') {
    throw new SipError('bad-options', `expected kind 'worker' or 'process', but got ${String(kind)}`);
  }
  checkLimits(options);
  const url = moduleUrl(module);
  if (url.protocol === 'file:') {
    if (!existsSync(fileURLToPath(url))) {
      throw new SipError(
        'module-not-found',
        `expected a SIP module at ${url.href}, but there is no such file`,
      );
    }
  } else if (kind === 'process') {
    throw new SipError('bad-options', `expected a file: module for a process SIP, but got ${url.href}`);
  }
  const init = serializeInit(options.init);
  const name = options.name ?? basename(url.pathname).replace(/\.[cm]?[jt]s$/, '');
  const common = {
    url,
    name,
    init,
    execArgv: options.execArgv ?? [],
    env: options.env ?? {},
    resourceLimits: options.resourceLimits,
  };
  const launched = kind === 'worker' ? launchWorker(common) : launchProcess({ ...common, cwd: options.cwd });
  return new SipHandle<I>(kind, name, launched, options);
}

/** The parent's handle on one SIP; see {@link Sip}. */
class SipHandle<I> implements Sip<I> {
  readonly name: string;
  readonly kind: SipKind;
  readonly root: Proxy<I>;
  readonly ended: Promise<SipEnd>;
  readonly #launched: Launched;
  readonly #session: Session;
  readonly #exitGraceMs: number;
  /** Process SIPs started further down (reported by the SIP), killed when this SIP ends. */
  readonly #descendants = new Set<number>();
  /** Set once the parent decided to destroy the SIP: the message for its end. */
  #destroyedBecause: string | undefined;
  #isEnded = false;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => void this.terminate('the SIP signal was aborted');

  constructor(kind: SipKind, name: string, launched: Launched, options: SipOptions) {
    this.kind = kind;
    this.name = name;
    this.#launched = launched;
    this.#exitGraceMs = options.exitGraceMs ?? 2_000;
    this.#session = new Session({
      connection: launched.connection,
      role: 'dialer',
      // The channel is private to parent and SIP (a port or an IPC pipe nobody else holds): nothing to prove.
      authenticator: unauthenticated(),
      ...(options.root === undefined ? {} : { root: options.root }),
      ...(options.sessionLimits === undefined ? {} : { limits: options.sessionLimits }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.trace === undefined ? {} : { trace: options.trace }),
      ...(options.callTracer === undefined ? {} : { callTracer: options.callTracer }),
    });
    this.root = this.#session.remoteRoot<I>();
    launched.onMessage((message) => this.#onSipMessage(message));
    if (kind === 'process' && launched.pid !== undefined && insideSip()) {
      // This thread runs a SIP itself: tell its parent, so a tree is destroyed whole even if we are killed.
      reportToParent({ mscSip: 'descendant', pid: launched.pid, alive: true });
    }
    void this.#session.closed.then(() => this.#sessionEnded());
    this.ended = launched.exited.then((exit) => this.#finish(exit));
    this.#signal = options.signal;
    if (this.#signal?.aborted) queueMicrotask(this.#onAbort);
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get pid(): number | undefined {
    return this.#launched.pid;
  }

  get threadId(): number | undefined {
    return this.#launched.threadId;
  }

  get established(): Promise<void> {
    return this.#session.established;
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  stats(): SessionStats {
    return this.#session.stats();
  }

  terminate(message = 'the SIP was terminated by its parent'): Promise<SipEnd> {
    this.#destroy(message);
    return this.ended;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  /**
   * Destroys the SIP: first the session (so pending calls abort with a reason that names `message`), then the
   * thread or process. `ended` follows once it is gone.
   */
  #destroy(message: string): void {
    if (this.#isEnded || this.#destroyedBecause !== undefined) return;
    this.#destroyedBecause = message;
    void this.#session.terminate(message);
    this.#launched.kill();
  }

  #onSipMessage(message: SipMessage): void {
    if (message.mscSip !== 'descendant') return;
    // A SIP is untrusted: a pid it names is killed with it only when it really descends from it, so a SIP cannot
    // make its parent kill a process of someone else.
    const sipPid = this.#launched.pid;
    if (message.alive && (sipPid === undefined || !descendsFrom(message.pid, sipPid))) return;
    if (message.alive) this.#descendants.add(message.pid);
    else this.#descendants.delete(message.pid);
    // Pass it up: our own parent must be able to destroy the whole tree even if this thread is killed first.
    reportToParent(message);
  }

  /**
   * The session ended. A SIP whose session ended exits by itself (runSip does so at once); if it has not within the
   * grace period (it is stuck, or its module never called runSip), the parent destroys it.
   */
  #sessionEnded(): void {
    if (this.#isEnded || this.#destroyedBecause !== undefined) return;
    this.#graceTimer = setTimeout(() => {
      void this.#session.closed.then((reason) =>
        this.#destroy(
          `its session ended (${reason.message}) and it did not exit within ${this.#exitGraceMs} ms`,
        ),
      );
    }, this.#exitGraceMs);
  }

  async #finish(exit: RawExit): Promise<SipEnd> {
    this.#isEnded = true;
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const { cause, detail, error } = this.#classify(exit);
    const message = `SIP ${this.name} (${this.kind}) ended: ${detail}`;
    // The thread's last messages may still be queued behind its exit: let the connection deliver them (answers
    // the SIP sent before it died stay answers), then end the session, so every eventual value that spanned it
    // settles before `ended` does.
    await Promise.race([this.#launched.connection.closed, delay(connectionDrainMs)]);
    await this.#session.terminate(message);
    const session: TerminationReason = await this.#session.closed;
    // Definitive for the whole tree: process SIPs it started, however deep, are killed and gone too.
    if (this.#descendants.size > 0) await killProcesses(this.#descendants);
    this.#descendants.clear();
    if (this.kind === 'process' && this.#launched.pid !== undefined && insideSip()) {
      reportToParent({ mscSip: 'descendant', pid: this.#launched.pid, alive: false });
    }
    return {
      cause,
      message,
      ...(exit.exitCode === undefined ? {} : { exitCode: exit.exitCode }),
      ...(exit.signal === undefined ? {} : { signal: exit.signal }),
      ...(error === undefined ? {} : { error }),
      session,
    };
  }

  #classify(exit: RawExit): { cause: SipEndCause; detail: string; error?: Error } {
    const how =
      exit.signal !== undefined
        ? `killed by ${exit.signal}`
        : exit.exitCode !== undefined
          ? `exit code ${exit.exitCode}`
          : 'no exit code';
    if (exit.violation !== undefined) {
      return {
        cause: 'protocol',
        detail: `it broke the IPC protocol: ${exit.violation.message} (${how})`,
        error: exit.violation,
      };
    }
    if (this.#destroyedBecause !== undefined) {
      return { cause: 'terminated', detail: `${this.#destroyedBecause} (${how})` };
    }
    const error = exit.fatal ?? exit.error;
    const outOfMemory =
      (exit.error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ||
      (exit.signal !== undefined && outOfMemoryPattern.test(exit.stderrTail ?? ''));
    if (outOfMemory) {
      const memoryError =
        error ?? new Error(`the process ran out of memory (${how}): ${lastLines(exit.stderrTail ?? '', 3)}`);
      return { cause: 'memory-limit', detail: `it ran out of memory (${how})`, error: memoryError };
    }
    if (error !== undefined) {
      return { cause: 'uncaught-error', detail: `uncaught error ${describeError(error)} (${how})`, error };
    }
    if (exit.signal !== undefined) return { cause: 'signal', detail: how };
    const stderr = exit.exitCode !== 0 && exit.stderrTail ? `; stderr: ${lastLines(exit.stderrTail, 5)}` : '';
    return { cause: 'exit', detail: `it exited (${how})${stderr}` };
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}
