// Collects criterion's results (target/criterion/**/new/{benchmark,estimates}.json) into one JSON
// list of {id, median, low, high} in nanoseconds, in the order the benchmarks ran.
// Usage: node benches/collect-criterion.mjs [target/criterion]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'target/criterion';
const found = [];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    const benchmark = join(path, 'new', 'benchmark.json');
    if (entry !== 'new' && existsSync(benchmark)) {
      const { full_id: id } = JSON.parse(readFileSync(benchmark, 'utf8'));
      const { median } = JSON.parse(readFileSync(join(path, 'new', 'estimates.json'), 'utf8'));
      found.push({
        id,
        median: median.point_estimate,
        low: median.confidence_interval.lower_bound,
        high: median.confidence_interval.upper_bound,
        time: statSync(benchmark).mtimeMs,
      });
    }
    walk(path);
  }
}
if (existsSync(root)) walk(root);
found.sort((a, b) => a.time - b.time);
console.log(JSON.stringify(found.map(({ id, median, low, high }) => ({ id, median, low, high })), null, 2));
