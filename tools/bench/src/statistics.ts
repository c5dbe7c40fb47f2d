/**
 * The few statistics the report needs: median, minimum and maximum of a cell's runs, and the
 * "times worse" ratio. Written here rather than taken from a statistics library: they are a sort and
 * two divisions, and the harness's numbers should not depend on a package's choice of median for even
 * counts or of quantile method.
 */

/** Median, minimum and maximum of a cell's runs. */
export interface Summary {
  /** Middle value (mean of the two middle values for an even count). */
  median: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/**
 * Summarises the values of a cell's runs.
 * @throws RangeError when `values` is empty.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('expected at least one run, got none');
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * How many times worse `value` is than `reference`, given which direction is better: value ÷
 * reference for times and memory, reference ÷ value for rates, so 2.0 means "twice as slow" either way.
 */
export function timesWorse(value: number, reference: number, better: 'lower' | 'higher'): number {
  return better === 'lower' ? value / reference : reference / value;
}
