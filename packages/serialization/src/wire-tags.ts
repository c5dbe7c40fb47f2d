/**
 * CBOR tag numbers this package writes, all in the first-come-first-served range (32768 and up) so
 * they fit a three-byte tag header. They are private to MSC frames: a frame is only ever decoded by
 * this package, and a decoder rejects every tag it does not list here (see `cbor-decoder.ts`).
 *
 * The numbers are part of the wire format: never renumber one, only add new ones.
 *
 * Every number comes before the first computed value (the typed array map, at the end): a bundler
 * (esbuild) inlines an imported constant only when it is a literal declared ahead of anything computed
 * in its module, and the reader and writer compare tags on every item.
 */

/** A data-contract instance: `[shape, ...fieldValues]`, where `shape` is a shape id or a {@link shapeDefinitionTag}. */
export const contractTag = 44600;
/** A contract shape defined in-band on first use in a frame: `[typeChain, fieldNames]`. */
export const shapeDefinitionTag = 44601;
/** An `Error`: an object with `name`, `message` and the optional `code`, `cause`, `stack`, `properties`. */
export const errorTag = 44602;
/** A by-reference value: the index of its descriptor in the frame's descriptor list. */
export const referenceTag = 44603;
/** A frame that carries references: `[descriptors, body]`; only ever the root item. */
export const referenceFrameTag = 44604;
/** The descriptor list of a reference frame: an array of descriptors in value order. */
export const descriptorsTag = 44605;
/** An `ArrayBuffer`: its bytes (a tag-64 `Uint8Array` or a plain byte string). */
export const arrayBufferTag = 44606;

/**
 * A `Date` as its time value in milliseconds (an integer, or NaN for an invalid date). Not tag 1:
 * tag 1 (as cbor-x writes it) is float seconds, which loses milliseconds far from the epoch.
 */
export const dateMillisecondsTag = 44607;

/** The epoch-seconds date tag (RFC 8949 tag 1): read, never written. */
export const dateTag = 1;
/** Positive bignum (RFC 8949 tag 2). */
export const positiveBignumTag = 2;
/** Negative bignum (RFC 8949 tag 3). */
export const negativeBignumTag = 3;
/** A `Set`: its items as an array. */
export const setTag = 258;
/** A `Map`: a CBOR map decoded as a `Map` rather than an object. */
export const mapTag = 259;
/** An inline record definition (cbor-x's numbering, kept for wire compatibility): `[recordTag, keys, ...values]`. */
export const recordDefinitionTag = 0xdfff;
/** The first record tag; a frame defines its records in-band, ids `recordTagFirst..recordTagLast`. */
export const recordTagFirst = 0xe000;
/** The last record tag (the writer recycles 256 record ids per frame). */
export const recordTagLast = 0xe0ff;

/** A typed array class. */
export type TypedArrayClass = (new (
  buffer: ArrayBufferLike,
  offset?: number,
  length?: number,
) => ArrayBufferView) & { readonly BYTES_PER_ELEMENT: number };

/**
 * The typed array classes by their RFC 8746 tag (cbor-x's numbering), little-endian. A class wider
 * than a byte also has a big-endian tag, 4 less: read with {@link typedArrayOfTag}.
 */
export const typedArrayTags: ReadonlyMap<number, TypedArrayClass> = new Map<number, TypedArrayClass>([
  [64, Uint8Array],
  [68, Uint8ClampedArray],
  [69, Uint16Array],
  [70, Uint32Array],
  [71, BigUint64Array as unknown as TypedArrayClass],
  [72, Int8Array],
  [77, Int16Array],
  [78, Int32Array],
  [79, BigInt64Array as unknown as TypedArrayClass],
  [85, Float32Array],
  [86, Float64Array],
]);

/** The typed array class of `tag`, little-endian or big-endian; undefined for any other tag. */
export function typedArrayOfTag(tag: number): TypedArrayClass | undefined {
  const type = typedArrayTags.get(tag);
  if (type !== undefined) return type;
  const bigEndian = typedArrayTags.get(tag + 4);
  return bigEndian !== undefined && bigEndian.BYTES_PER_ELEMENT > 1 ? bigEndian : undefined;
}
