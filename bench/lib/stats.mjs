// Pure statistics helpers shared by every benchmark. No I/O, no clocks.

/** Sorted copy (numeric, ascending). */
export function sorted(values) {
  return Float64Array.from(values).sort();
}

/** Percentile `p` in [0, 100] by linear interpolation between closest ranks; NaN for no values. */
export function percentile(values, p) {
  const s = values instanceof Float64Array && isSortedAsc(values) ? values : sorted(values);
  if (s.length === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** Median (50th percentile). */
export function median(values) {
  return percentile(values, 50);
}

function isSortedAsc(a) {
  for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) return false;
  return true;
}

/**
 * Summary of a figure measured over several runs. `runs` is an array of per-run sample arrays (a throughput run
 * has one sample: its rate). median / p99 / p999 are over all samples pooled; min / max are the spread of the
 * per-run medians, so one noisy run shows as spread instead of hiding in the pool.
 */
export function summarize(runs) {
  const pooled = sorted(runs.flatMap((r) => Array.from(r)));
  const perRun = runs.map((r) => median(r));
  return {
    median: median(pooled),
    p99: percentile(pooled, 99),
    p999: percentile(pooled, 99.9),
    min: Math.min(...perRun),
    max: Math.max(...perRun),
    runs: runs.length,
    samples: pooled.length,
  };
}

/** Ratio a / b, or null when either is missing or b is 0. */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;
}
