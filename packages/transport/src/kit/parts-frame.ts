/**
 * A frame given as its pieces (see `Connection.sendParts`) on its way to a driver that takes parts
 * ({@link ConnectionDriver.takesParts}): the pieces, in order, and their total length, which the
 * lifecycle counts as the frame's bytes. The driver writes the pieces as one frame (a socket's gather
 * write); nothing of the pieces shows on the wire. Outgoing only: arriving frames are whole.
 */
export class PartsFrame {
  /** The pieces, in order: the transport's from `sendParts` on (see its ownership rule). */
  readonly parts: readonly Uint8Array[];
  /** The frame's length: the pieces' lengths summed. */
  readonly byteLength: number;

  constructor(parts: readonly Uint8Array[], byteLength: number) {
    this.parts = parts;
    this.byteLength = byteLength;
  }
}
