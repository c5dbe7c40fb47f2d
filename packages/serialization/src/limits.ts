/**
 * Bounds a decoder enforces before it builds anything, so hostile input costs at most one linear
 * check of the frame, and what the frame then builds is proportional to its length. Every violation
 * is a `DecodeError` whose `code` names the limit (see `decodeLimitCodes`).
 *
 * Work units (what `maxWorkPerByte` bounds) stand for the values, and roughly the 8-byte words of
 * heap, that decoding builds. The check charges 1 unit per byte of the frame (every item is at
 * least one byte, so this pays for the items), plus what {@link decodeWorkCosts} lists for each
 * container, map entry, tag and record definition. A frame may cost at most `maxWorkPerByte` × its
 * length + {@link decodeWorkAllowance} units, so decoding time and the heap it builds are linear in
 * the frame's bytes, whatever the shape of the input: at the default of 3, a decoded value holds
 * under about 24 bytes of heap per input byte. Ordinary data costs far less: 10 000
 * `{id, name, score}` cost 1.15 units per byte, a call message about 1.5.
 */
export interface DecodeLimits {
  /** Largest frame accepted, in bytes. Default 16 MiB. Also checked by `encode`, so a peer never sends what it would refuse. */
  readonly maxFrameBytes: number;
  /** Deepest nesting of arrays, maps and tags (a contract instance counts 2: its tag and its array). Default 128. */
  readonly maxDepth: number;
  /** Longest text string, in UTF-8 bytes. Default 4 MiB. */
  readonly maxStringBytes: number;
  /** Most items in one array, `Set` or record, or entries in one map. Default 1 048 576; at most 2^30 - 1. */
  readonly maxCollectionLength: number;
  /** Longest bignum (a `bigint` outside the 64-bit range), in bytes. Default 1024 (8192 bits). */
  readonly maxBigIntBytes: number;
  /**
   * Most keys in one plain object: a record definition's key list, or a CBOR map read as an object.
   * Default 4096. Objects with more keys decode slowly (V8 dictionary mode, and the decoder compiles a
   * reader per record): send a `Map` for dictionaries. Violation: `record-too-wide`.
   */
  readonly maxRecordKeys: number;
  /**
   * Most record definitions in one frame (a frame defines one per distinct object shape; the decoder
   * forgets them after the frame, so none outlive it). Default 4096. Violation: `too-many-records`.
   */
  readonly maxRecordDefinitions: number;
  /**
   * Decode work a frame may cost per byte of its length (see the units above), plus
   * {@link decodeWorkAllowance} per frame. Default 3: one 14 MB frame of empty arrays (5 units per
   * byte) is refused before anything is built, a frame of `[x, y]` pairs of small integers (2.3)
   * passes. Dictionaries of very short keys with tiny values may exceed it: send a `Map`.
   * Violation: `work-exceeded`.
   */
  readonly maxWorkPerByte: number;
}

const maximumCollectionLength = 2 ** 30 - 1;

/** Work units every frame may spend beyond `maxWorkPerByte` × its length, so tiny frames of any shape pass. */
export const decodeWorkAllowance = 4096;

/** What the check of a frame charges per kind of item, in work units; see {@link DecodeLimits}. */
export const decodeWorkCosts: {
  /** An array, map or record value (one object or array built). */
  readonly container: number;
  /** Each entry of a CBOR map that decodes as a plain object: V8 makes a hidden class per new key name, about 1-4 µs. */
  readonly objectKey: number;
  /** Each entry of a `Map` (a hash insert). */
  readonly mapEntry: number;
  /** A tag whose value is a primitive or a plain container (dates, bignums, references, frames). */
  readonly tag: number;
  /** A `Set`, `Map`, typed array, `ArrayBuffer`, error or contract tag. */
  readonly heavyTag: number;
  /** A record definition. */
  readonly recordDefinition: number;
  /** Each key of a record definition (a new key name, as for `objectKey`). */
  readonly recordKey: number;
  /** The third use of a record in a frame, when the decoder compiles a reader for it. */
  readonly recordCompile: number;
  /** Each key of a record being compiled. */
  readonly recordCompileKey: number;
  /** Each value of a record wider than `fastRecordKeys`, each time the record is used. */
  readonly wideRecordValue: number;
  /** Records up to this many keys build fast-mode objects; wider ones pay `wideRecordValue`. */
  readonly fastRecordKeys: number;
} = Object.freeze({
  container: 4,
  objectKey: 16,
  mapEntry: 1,
  tag: 4,
  heavyTag: 16,
  recordDefinition: 64,
  recordKey: 16,
  recordCompile: 512,
  recordCompileKey: 16,
  wideRecordValue: 8,
  fastRecordKeys: 1000,
});

/** The limits a codec uses when none are given. */
export const defaultLimits: DecodeLimits = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxDepth: 128,
  maxStringBytes: 4 * 1024 * 1024,
  maxCollectionLength: 1024 * 1024,
  maxBigIntBytes: 1024,
  maxRecordKeys: 4096,
  maxRecordDefinitions: 4096,
  maxWorkPerByte: 3,
});

/**
 * Stricter limits for frames that arrive before a peer is authenticated (hellos, authenticator
 * messages): small frames, shallow, few and narrow records, and a tighter work budget, so an
 * anonymous connection can make the server build at most a few hundred KiB per frame. A session
 * decodes its pre-handshake frames with a codec made with these, and the rest with its own limits.
 *
 * maxFrameBytes 64 KiB, maxDepth 16, maxStringBytes 16 KiB, maxCollectionLength 1024, maxBigIntBytes
 * 64, maxRecordKeys 64, maxRecordDefinitions 32, maxWorkPerByte 2.
 */
export const handshakeDecodeLimits: DecodeLimits = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxDepth: 16,
  maxStringBytes: 16 * 1024,
  maxCollectionLength: 1024,
  maxBigIntBytes: 64,
  maxRecordKeys: 64,
  maxRecordDefinitions: 32,
  maxWorkPerByte: 2,
});

/**
 * The decode limits a codec's options change: each one given replaces its default in
 * {@link defaultLimits}; one left out or `undefined` keeps the default.
 */
export type DecodeLimitOverrides = { readonly [Name in keyof DecodeLimits]?: DecodeLimits[Name] | undefined };

/**
 * Fills the missing limits with the defaults.
 * @throws RangeError when a limit is not a positive integer
 */
export function resolveLimits(limits: DecodeLimitOverrides | undefined): DecodeLimits {
  const resolved: Record<string, number> = { ...defaultLimits };
  // Only the overrides need checking; an undefined one is no override.
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  // Below 2^30, so a map's items (twice its entries) stay a small integer.
  const collectionLength = resolved['maxCollectionLength']!;
  if (collectionLength > maximumCollectionLength) {
    throw new RangeError(
      `limits.maxCollectionLength must be at most ${maximumCollectionLength}, got ${collectionLength}`,
    );
  }
  return Object.freeze(resolved) as unknown as DecodeLimits;
}
