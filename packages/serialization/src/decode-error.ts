/** Why a frame could not be decoded; stable strings, safe to switch on. */
export type DecodeErrorCode =
  /** The frame is longer than `limits.maxFrameBytes`. */
  | 'frame-too-large'
  /** Arrays, maps and tags nest deeper than `limits.maxDepth`. */
  | 'too-deep'
  /** A text string is longer than `limits.maxStringBytes` (UTF-8 bytes). */
  | 'string-too-long'
  /** An array, map or record has more items than `limits.maxCollectionLength`. */
  | 'collection-too-long'
  /** A bignum is longer than `limits.maxBigIntBytes`. */
  | 'bigint-too-large'
  /** A plain object (a record definition or a map) has more keys than `limits.maxRecordKeys`. */
  | 'record-too-wide'
  /** A frame defines more records than `limits.maxRecordDefinitions`. */
  | 'too-many-records'
  /** A frame would cost more decode work than `limits.maxWorkPerByte` allows for its length. */
  | 'work-exceeded'
  /** A frame would overdraw the `DecodeBudget` passed to `decode` (work or record definitions across frames). */
  | 'budget-exhausted'
  /** The frame ends in the middle of an item. */
  | 'truncated'
  /** The bytes are not the CBOR this codec writes (bad header, stray break, trailing bytes, wrong payload shape). */
  | 'malformed'
  /** A CBOR tag or simple value this codec never writes. */
  | 'unsupported-tag'
  /** A contract whose whole type chain is unknown here, and the codec was made with `unknownContracts: 'error'`. */
  | 'unknown-contract'
  /** The frame carries by-reference values, and this codec has no reference hooks or a hook threw. */
  | 'reference-failed'
  /** A registered contract's `create` threw while materialising it. */
  | 'contract-failed';

/**
 * Thrown by `Codec.decode` for every input it cannot turn into a value: hostile, truncated or merely
 * from an incompatible peer. It is the only error `decode` throws; whatever went wrong inside (a
 * malformed item, a stack overflow, a throwing hook) is kept as `cause`.
 */
export class DecodeError extends Error {
  /** Why decoding failed. */
  readonly code: DecodeErrorCode;

  /**
   * @param code why decoding failed
   * @param message what was expected and what came
   * @param options `cause`: the underlying error, if any
   */
  constructor(code: DecodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static {
    DecodeError.prototype.name = 'DecodeError';
  }
}

/**
 * The {@link DecodeErrorCode}s that mean a limit or budget was exceeded; the others mean the input is
 * malformed. A session ends with its `limit` code for these and with `protocol` for the rest.
 */
export const decodeLimitCodes: ReadonlySet<DecodeErrorCode> = new Set<DecodeErrorCode>([
  'frame-too-large',
  'too-deep',
  'string-too-long',
  'collection-too-long',
  'bigint-too-large',
  'record-too-wide',
  'too-many-records',
  'work-exceeded',
  'budget-exhausted',
]);
