import type { ByteParts, ValueFormWrite } from '@msc/serialization';

/**
 * A message waiting in the outbox: its encoding (CBOR bytes, the CBOR as pieces, or in values mode its
 * value form), and the message itself for tracing. Shared by the outbox and values mode's channel
 * (value-mode.ts).
 */
export interface OutgoingMessage {
  /** The CBOR encoding, or `undefined` for a message in pieces or in the value form. */
  readonly bytes: Uint8Array | undefined;
  /**
   * The CBOR encoding as pieces (`encodeParts` of `@msc/serialization`: a bulk stream batch for a
   * connection that takes parts), which travels as a frame of its own; else `undefined`.
   */
  readonly parts: ByteParts | undefined;
  /** The value form (values mode), when neither `bytes` nor `parts` is there; else `undefined`. */
  readonly written: ValueFormWrite | undefined;
  readonly message: unknown[];
}
