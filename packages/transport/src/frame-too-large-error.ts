/** Thrown by `Connection.send()` for a frame larger than `maxFrameBytes`. The connection stays open. */
export class FrameTooLargeError extends Error {
  /** Stable error name. */
  override readonly name = 'FrameTooLargeError';
  /** Stable error code. */
  readonly code = 'frame-too-large';
  /** Size of the rejected frame, in bytes. */
  readonly frameBytes: number;
  /** The limit it exceeded, in bytes. */
  readonly maxFrameBytes: number;

  /**
   * @param frameBytes size of the rejected frame in bytes
   * @param maxFrameBytes the connection's limit in bytes
   */
  constructor(frameBytes: number, maxFrameBytes: number) {
    super(`expected a frame of at most ${maxFrameBytes} bytes, but got ${frameBytes} bytes`);
    this.frameBytes = frameBytes;
    this.maxFrameBytes = maxFrameBytes;
  }
}
