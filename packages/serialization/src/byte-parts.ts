/**
 * A byte string given as consecutive pieces, written as the one `Uint8Array` they make up: the codec
 * copies each piece once, straight into the frame (or, in the value form, into the one array it
 * transfers), where joining them first would copy every byte twice; gathered (`encodeParts`),
 * pieces of bulk size are not copied at all. A reader gets a plain `Uint8Array`: nothing of the
 * pieces shows on the wire. Also the form of a gathered frame itself (what `encodeParts` returns).
 *
 * Ownership: the pieces are given away. They are read when the value is encoded (`Codec.encode`, a
 * session's send), not before, and, gathered, written from where they are, possibly later (a
 * session over TCP sends them so): the caller must not change them afterwards. It is a form for
 * encoding: a local call, which encodes nothing, hands the callee the `ByteParts` itself (as any class
 * instance). A session sends a byte stream's batches in this form (docs/protocol.md: a `StreamItems`
 * of bytes is one byte string), whose chunks `BytesWriter.write` gave away.
 *
 * @example
 * ```ts
 * import { ByteParts, Codec } from '@msc/serialization';
 *
 * const codec = new Codec();
 * const frame = codec.encode(new ByteParts([new Uint8Array([1, 2]), new Uint8Array([3])]));
 * console.log(codec.decode(frame)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class ByteParts {
  /** The pieces, in order. */
  readonly parts: readonly Uint8Array[];
  /** The length of the byte string: the pieces' lengths summed. */
  readonly byteLength: number;

  /**
   * @param parts - the pieces, in order (the array is kept, not copied: do not change it)
   * @throws TypeError when a piece is not a `Uint8Array`
   */
  constructor(parts: readonly Uint8Array[]) {
    let byteLength = 0;
    for (const part of parts) {
      if (!(part instanceof Uint8Array)) {
        throw new TypeError(`ByteParts needs Uint8Array pieces, got ${typeof part}`);
      }
      byteLength += part.byteLength;
    }
    this.parts = parts;
    this.byteLength = byteLength;
  }
}
