/**
 * The slope of the least-squares line through `points` (`y` per unit of `x`). `NaN` with fewer than two
 * points or when every `x` is the same.
 */
export function linearSlope(points: readonly { readonly x: number; readonly y: number }[]): number {
  if (points.length < 2) return Number.NaN;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}
