/**
 * Bounds a decoder enforces before it builds anything, so hostile input costs at most one linear
 * scan of the frame. Every violation is a `DecodeError` whose `code` names the limit.
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
}

const maximumCollectionLength = 2 ** 30 - 1;

/** The limits a codec uses when none are given. */
export const defaultLimits: DecodeLimits = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxDepth: 128,
  maxStringBytes: 4 * 1024 * 1024,
  maxCollectionLength: 1024 * 1024,
  maxBigIntBytes: 1024,
});

/**
 * Fills the missing limits with the defaults.
 * @throws RangeError when a limit is not a positive integer
 */
export function resolveLimits(limits: Partial<DecodeLimits> | undefined): DecodeLimits {
  const resolved = { ...defaultLimits, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${String(value)}`);
    }
  }
  // The scanner counts map items (twice the entries) in 32-bit integers.
  if (resolved.maxCollectionLength > maximumCollectionLength) {
    throw new RangeError(
      `limits.maxCollectionLength must be at most ${maximumCollectionLength}, got ${resolved.maxCollectionLength}`,
    );
  }
  return Object.freeze(resolved);
}
