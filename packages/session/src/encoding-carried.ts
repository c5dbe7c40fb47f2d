/**
 * Whether the payload encoded last holds a descriptor (a capability or a stream): a `Return` without
 * one finishes its answer from protocol version 5 (wire/protocol.ts, `finishingReturnVersion`).
 *
 * Set by the capability codec when an encoding succeeds (`CapabilityCodec.commit`, bytes and value
 * form alike); read by the answers right after they queue a `Return`. Encoding is synchronous, one
 * payload at a time, so the flag read then is that `Return`'s, whichever session encoded before it;
 * it must be read before anything else is encoded (a `Release` that a return's clean-up sends).
 */
let carried = false;

/** An encoding succeeded; `value`: its payload holds a descriptor. @internal */
export function noteEncodingCarried(value: boolean): void {
  carried = value;
}

/** Whether the payload encoded last holds a descriptor. @internal */
export function lastEncodingCarried(): boolean {
  return carried;
}
