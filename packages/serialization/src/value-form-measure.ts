/**
 * The size estimate of the value form (see `value-form.ts`), shared by its writer and reader so both
 * count alike: an honest writer never sends what the reader refuses.
 */
export const valueFormSizes: {
  /** `undefined`, `null`, a boolean, and every array's or object's header. */
  readonly small: number;
  /** A number, a `Date`, a 64-bit `bigint`. */
  readonly number: number;
  /** Beyond the bytes of a typed array or `ArrayBuffer`. */
  readonly bytesHeader: number;
  /** A tag's head (the boxed number), and the tag of a `Map` or `Set`. */
  readonly tag: number;
} = Object.freeze({ small: 1, number: 9, bytesHeader: 5, tag: 3 });

const lowest64 = -(2n ** 64n);
const highest64 = 2n ** 64n;

/** The estimate of a string or key: its length in UTF-16 units and a header. */
export function stringSize(value: string): number {
  return 1 + value.length;
}

/** The estimate of a `bigint`: 9 in the 64-bit range, else a bignum's bytes and headers. */
export function bigintSize(value: bigint): number {
  if (value >= lowest64 && value < highest64) return valueFormSizes.number;
  const magnitude = value < 0n ? -1n - value : value;
  return 4 + Math.ceil(magnitude.toString(16).length / 2);
}
