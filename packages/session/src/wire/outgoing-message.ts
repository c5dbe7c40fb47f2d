import type { ValueFormWrite } from '@msc/serialization';

/**
 * A message waiting in the outbox: its encoding (CBOR bytes, or in values mode its value form), and
 * the message itself for tracing. Shared by the outbox and values mode's channel (value-mode.ts).
 */
export interface OutgoingMessage {
  /** The CBOR encoding, or `undefined` for a message in the value form. */
  readonly bytes: Uint8Array | undefined;
  /** The value form (values mode), when `bytes` is undefined. */
  readonly written: ValueFormWrite | undefined;
  readonly message: unknown[];
}
