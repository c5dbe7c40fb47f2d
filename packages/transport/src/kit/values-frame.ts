/**
 * A values frame on its way to the receiver (see `Connection.sendValues`): what the peer's structured
 * clone made, and the size it declared, which the inbox and flow control count as the frame's bytes.
 */
export class ValuesFrame {
  /** What arrived, unchecked (the receiver checks it). */
  readonly values: unknown;
  /** The peer's size estimate, in bytes (the lifecycle checked it against `maxFrameBytes`). */
  readonly byteLength: number;

  constructor(values: unknown, byteLength: number) {
    this.values = values;
    this.byteLength = byteLength;
  }
}
