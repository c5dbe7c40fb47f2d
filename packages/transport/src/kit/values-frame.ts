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

/**
 * The bytes `frame` counts as: a byte frame's length, a values frame's estimate. A byte frame's `length`,
 * not its `byteLength`: V8 (Node 20) compiles a typed array's `byteLength` and `byteOffset` to an
 * inline-cache call, its `length` to a field read, and this is read for every frame a few times.
 */
export function frameSize(frame: Uint8Array | ValuesFrame): number {
  if (frame instanceof Uint8Array) return frame.length;
  // NaN for anything else (a caller's DataView or string): no count or comparison takes it for a size.
  return frame instanceof ValuesFrame ? frame.byteLength : Number.NaN;
}
