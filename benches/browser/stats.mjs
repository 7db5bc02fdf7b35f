// Summaries of repeated timings: the median and the spread around it. Shared machines are noisy,
// so every figure is quoted as a median with its 10th and 90th percentiles.

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** `{n, median, p10, p90, min, max}` of `values` (milliseconds). */
export function summarize(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

/** "12.3 ms (p10 11.0, p90 15.2, n 40)". */
export function describe(summary, unit = 'ms') {
  const f = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : 'n/a');
  return `${f(summary.median)} ${unit} (p10 ${f(summary.p10)}, p90 ${f(summary.p90)}, n ${summary.n})`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
