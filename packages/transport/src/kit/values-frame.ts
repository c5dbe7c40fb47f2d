/**
 * A values frame (see `Connection.sendValues`) on its way through a connection: the values, the
 * size estimate that the lifecycle, the inbox and flow control count as the frame's bytes (checked
 * against `maxFrameBytes` both ways), and, outgoing, the buffers to transfer. A driver that carries
 * values gets these among the frames of `writeFrames` and reports arriving ones through `frame`.
 */
export class ValuesFrame {
  /** The values; arriving, unchecked (the receiver checks them). */
  readonly values: unknown;
  /** The sender's size estimate, in bytes. */
  readonly byteLength: number;
  /** Outgoing: the buffers to move rather than copy. */
  readonly transfer: ArrayBuffer[];

  constructor(values: unknown, byteLength: number, transfer: ArrayBuffer[]) {
    this.values = values;
    this.byteLength = byteLength;
    this.transfer = transfer;
  }
}
