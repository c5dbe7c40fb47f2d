/**
 * The size section of the bench report: each client's minified and gzipped bytes, the ratio to the
 * budget, and its largest packages and modules.
 */
import type { BundleSize } from './bundle-size.ts';
import { minimalClientGzipBudget } from './size-budget.ts';

/** Bytes as kB (1000 bytes) with one decimal, as bundle sizes are usually quoted. */
export function formatKilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/**
 * The size section as text: one line per client (min, min+gzip, and for @msc the budget), then the
 * `largest` biggest packages and modules of each.
 */
export function formatSizes(sizes: readonly BundleSize[], largest = 6): string {
  const output = [
    '',
    `Minimal browser client  [esbuild --bundle --minify --format=esm --platform=browser; gzip -9; budget ${formatKilobytes(minimalClientGzipBudget)} min+gzip for @msc]`,
  ];
  for (const size of sizes) {
    const budget =
      size.client === '@msc'
        ? `  (${size.gzippedBytes <= minimalClientGzipBudget ? 'within' : 'OVER'} budget)`
        : '';
    output.push(
      `  ${size.client.padEnd(8)} min ${formatKilobytes(size.minifiedBytes).padStart(9)}  min+gzip ${formatKilobytes(size.gzippedBytes).padStart(8)}${budget}`,
    );
    const parts = (list: readonly { name: string; minifiedBytes: number }[]) =>
      list
        .slice(0, largest)
        .map((part) => `${part.name} ${formatKilobytes(part.minifiedBytes)}`)
        .join(', ');
    output.push(`    packages (min): ${parts(size.packages)}`);
    if (size.modules.length > 1) output.push(`    modules (min):  ${parts(size.modules)}`);
  }
  return output.join('\n');
}
