import type { Proxy } from '@msc/eventual';
import type { SessionLimitOverrides, SessionOptions, Tracing } from '@msc/session';

/** Where a SIP runs: a worker thread of this process, or a child process of its own. */
export type SipKind = 'worker' | 'process';

/**
 * Memory limits of a SIP, in megabytes. A SIP that exceeds its heap ends with cause `memory-limit`; its parent
 * carries on.
 */
export interface SipResourceLimits {
  /** Largest main (old-generation) heap. Worker: `resourceLimits.maxOldGenerationSizeMb`; process: `--max-old-space-size`. */
  maxOldGenerationSizeMb?: number | undefined;
  /** Largest heap for recently created objects. Workers only (a process SIP can pass `--max-semi-space-size` in `execArgv`). */
  maxYoungGenerationSizeMb?: number | undefined;
  /** Size of the pre-allocated range for generated code. Workers only. */
  codeRangeSizeMb?: number | undefined;
  /** Largest stack of the thread. Workers only. Default (Node's) 4. */
  stackSizeMb?: number | undefined;
}

/** Options of `spawnSip()`. */
export interface SipOptions<Init = unknown> {
  /** Worker thread or child process. Default `'worker'`. */
  kind?: SipKind | undefined;
  /** The capability the SIP receives as its `parent`. Default: `Nothing`. The session takes its own reference. */
  root?: Proxy<unknown> | undefined;
  /**
   * Data handed to the SIP's main function. Copied by value with the structured-clone serializer of `node:v8`
   * (plain data, Maps, Sets, Dates, typed arrays, errors…); anything that would share memory or carry behaviour
   * (functions, SharedArrayBuffer, MessagePort, proxies) is refused with SipError `init-not-serializable`.
   * Default `undefined`.
   */
  init?: Init | undefined;
  /** Memory limits; see {@link SipResourceLimits}. Default: none (Node's defaults). */
  resourceLimits?: SipResourceLimits | undefined;
  /** A name for diagnostics: thread name, process title (`sip:<name>`), end messages. Default: the module's file name. */
  name?: string | undefined;
  /**
   * Node options for the SIP (worker `execArgv`, or the child process's Node flags). Default `[]`: a SIP does not
   * inherit the parent's flags. A process SIP can load TypeScript with `['--import', 'tsx']`; on Node 20 a worker
   * thread cannot (module hooks do not reach workers there): give workers JavaScript.
   */
  execArgv?: readonly string[] | undefined;
  /**
   * The SIP's environment variables (`process.env` inside it). Default `{}`: nothing of the parent's environment
   * crosses unless given here.
   */
  env?: Readonly<Record<string, string>> | undefined;
  /** The working directory of a process SIP. Default: the parent's. (Worker threads share the process's.) */
  cwd?: string | undefined;
  /** Aborting it terminates the SIP, as `terminate()` does. */
  signal?: AbortSignal | undefined;
  /**
   * When the session ends while the SIP still runs (a protocol or limit failure, a handshake timeout), how long the
   * SIP may take to exit by itself before its parent destroys it, in milliseconds. Default 2 000.
   */
  exitGraceMs?: number | undefined;
  /** Limits of the session with the SIP (see `@msc/session`); `handshakeTimeoutMs` bounds the start-up. */
  sessionLimits?: SessionLimitOverrides | undefined;
  /** Data contracts and error classes known to the parent's side of the session. */
  registry?: SessionOptions['registry'] | undefined;
  /** Message tracing of the parent's side of the session (`traceMessages()` of `@msc/session`). Default: none. */
  trace?: Tracing | undefined;
  /**
   * Call tracing of the parent's side of the session (`SessionOptions.callTracer` of `@msc/session`; `@msc/opentelemetry`
   * makes one). The SIP's side has its own (`RunSipOptions.callTracer`, or one the SIP module installs). Default: the
   * tracer `installCallTracer()` installed in this thread, else none.
   */
  callTracer?: SessionOptions['callTracer'];
}
