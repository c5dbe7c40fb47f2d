import type { Connection } from '@msc/transport';
import type { SipMessage } from './launch-protocol.ts';

/** How the thread or process of a SIP ended, before it is classified into a `SipEnd`. */
export interface RawExit {
  /** The exit code, when there was one. */
  readonly exitCode?: number;
  /** The signal that killed a process. */
  readonly signal?: string;
  /** The error a worker reported (`'error'` event), or the failure to start a process. */
  readonly error?: Error;
  /** A process SIP's report of the uncaught error that ended it. */
  readonly fatal?: Error;
  /** Why the parent ended a process SIP that broke the IPC protocol (SipError `protocol`). */
  readonly violation?: Error;
  /** The last few KiB a process SIP wrote to stderr (out-of-memory detection, diagnostics). */
  readonly stderrTail?: string;
}

/** A started thread or process and the connection to it: what `spawnSip()` builds a SIP handle on. Internal. */
export interface Launched {
  /** The connection carrying the session. */
  readonly connection: Connection;
  /** The SIP's process id (this process's for a worker). */
  readonly pid: number | undefined;
  /** The worker's thread id. */
  readonly threadId: number | undefined;
  /** Settles once the thread or process is gone; never rejects. */
  readonly exited: Promise<RawExit>;
  /** Stops the thread or kills the process (SIGKILL) at once; does nothing once it is gone. */
  kill(): void;
  /** Receives the SIP's `descendant` reports. */
  onMessage(listener: (message: SipMessage) => void): void;
}
