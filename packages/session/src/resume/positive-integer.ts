/**
 * `value` when it is a positive integer (resumption's numeric options and bounds).
 *
 * @throws RangeError naming `name` and the value given otherwise
 */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, but got ${String(value)}`);
  }
  return value;
}
