import type { MessagePort } from 'node:worker_threads';

/**
 * The launch protocol between `spawnSip()` (parent) and `runSip()` (SIP). Internal: these shapes never reach user
 * code. Everything is tagged `mscSip` so it cannot be mistaken for a frame or a connection control message.
 */

/** The command-line marker that tells `runSip()` in a child process that `spawnSip()` started it. */
export const processMarker = '--msc-sip';

/**
 * `workerData` of a worker SIP: the session's port (transferred), the init data as v8-serialized bytes, the name.
 * Nothing else crosses into the thread.
 */
export interface WorkerLaunch {
  readonly mscSip: { readonly port: MessagePort; readonly init: Uint8Array; readonly name: string };
}

/** Sent by the parent over the IPC channel, after the child said `ready`; session frames follow it. */
export interface LaunchMessage {
  readonly mscSip: 'launch';
  readonly init: Uint8Array;
  readonly name: string;
}

/** What a thrown value looked like, reported by a dying process SIP (errors do not survive the trip as classes). */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/**
 * Messages from a SIP to its parent (IPC channel for a process, `parentPort` for a worker):
 * - `ready` (process only): `runSip()` is listening; the parent may send `launch` and the session's frames.
 * - `fatal` (process only): an uncaught exception or unhandled rejection is about to end the process.
 * - `descendant`: a process SIP further down started (`alive: true`) or ended; the parent kills every live
 *   descendant when this SIP ends, so nothing it started outlives it.
 */
export type SipMessage =
  | { readonly mscSip: 'ready' }
  | { readonly mscSip: 'fatal'; readonly error: ErrorReport; readonly origin: string }
  | { readonly mscSip: 'descendant'; readonly pid: number; readonly alive: boolean };

/**
 * The SIP's message to its parent if `value` is a well-formed one, else `undefined`. A SIP is untrusted: a message
 * of another shape (a `fatal` whose error is not a report, a `descendant` whose pid is not a positive integer) is
 * dropped, never half-read.
 */
export function sipMessageFrom(value: unknown): SipMessage | undefined {
  if (!isLaunchProtocol(value)) return undefined;
  const message = value as {
    mscSip: string;
    error?: unknown;
    origin?: unknown;
    pid?: unknown;
    alive?: unknown;
  };
  switch (message.mscSip) {
    case 'ready':
      return { mscSip: 'ready' };
    case 'fatal': {
      const error = message.error as Partial<ErrorReport> | null | undefined;
      if (typeof error !== 'object' || error === null) return undefined;
      const text = (field: unknown, limit: number) =>
        typeof field === 'string' ? field.slice(0, limit) : undefined;
      const stack = text(error.stack, 16_384);
      const code = text(error.code, 256);
      return {
        mscSip: 'fatal',
        error: {
          name: text(error.name, 256) ?? 'Error',
          message: text(error.message, 16_384) ?? '(no message)',
          ...(stack === undefined ? {} : { stack }),
          ...(code === undefined ? {} : { code }),
        },
        origin: text(message.origin, 256) ?? 'unknown',
      };
    }
    case 'descendant':
      if (!Number.isSafeInteger(message.pid) || (message.pid as number) <= 1) return undefined;
      if (typeof message.alive !== 'boolean') return undefined;
      return { mscSip: 'descendant', pid: message.pid as number, alive: message.alive };
    default:
      return undefined;
  }
}

/** Whether `value` is a message of the launch protocol (from either side). */
export function isLaunchProtocol(value: unknown): value is SipMessage | LaunchMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { mscSip?: unknown }).mscSip === 'string'
  );
}

/** A plain description of a thrown value that survives any serializer. */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: `a non-error value was thrown: ${String(error)}` };
}

/** Rebuilds an `Error` from a report, keeping the reported name, stack and code. */
export function errorFromReport(report: ErrorReport): Error {
  const error = new Error(report.message);
  error.name = report.name;
  if (report.stack !== undefined) error.stack = report.stack;
  if (report.code !== undefined) (error as { code?: string }).code = report.code;
  return error;
}
