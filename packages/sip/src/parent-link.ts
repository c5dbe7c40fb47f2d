import type { SipMessage } from './launch-protocol.ts';

/**
 * The link from this thread to the parent of the SIP it runs, set once by `runSip()`. It is per thread (module
 * state is per thread in Node) and describes a fact of the thread, like `process.send`: `spawnSip()` uses it to
 * report the process SIPs it starts up the chain, so the topmost parent can destroy a whole tree definitively.
 */
let link: ((message: SipMessage) => void) | undefined;

/** Records how to reach this thread's parent SIP. Called by `runSip()`. */
export function setParentLink(send: (message: SipMessage) => void): void {
  link = send;
}

/** Sends `message` to this thread's parent SIP, if this thread runs a SIP; does nothing otherwise. */
export function reportToParent(message: SipMessage): void {
  try {
    link?.(message);
  } catch {
    // The parent is gone: nobody is left to tell, and the process is about to end anyway.
  }
}

/** Whether this thread runs a SIP (`runSip()` was called here). */
export function insideSip(): boolean {
  return link !== undefined;
}
