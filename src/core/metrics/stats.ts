/** Summary statistics over repeated runs. Percentiles interpolate linearly between closest ranks (numpy's default). */
export interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** p in [0, 100] over values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function summarize(values: readonly number[]): Stats | undefined {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (!n) return undefined;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return {
    n,
    min: xs[0],
    max: xs[n - 1],
    mean,
    stddev: Math.sqrt(variance),
    p50: percentile(xs, 50),
    p90: percentile(xs, 90),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
  };
}
