// Watched metrics and stats that neither the run nor the baseline knows (a typo in the rules):
// found after a run, named as config errors with the closest known name, never as regressions.
import type { Rules } from './rules.js';

/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name nearest to `name`, or undefined when none is known. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Watched metrics of the config that neither this run nor any baseline history has (a typo such as
 * `http_req_durration`): a config error naming the closest known metric, rather than a
 * "regression" of a metric that never existed. Submetrics are judged by their base metric, since
 * k6 exports a submetric only when a threshold names it.
 */
export function unknownWatchedMetrics(rules: Rules, known: Iterable<string>): string[] {
  const bases = new Set([...known].map((name) => name.replace(/\{.*$/, '')));
  const problems: string[] = [];
  for (const rule of rules.watch) {
    if (rule.origin === 'default') continue;
    const base = rule.metric.replace(/\{.*$/, '');
    if (bases.has(base)) continue;
    const closest = closestName(base, bases);
    problems.push(
      `watched metric ${JSON.stringify(`${rule.metric}:${rule.stat}`)} is not a metric of this run nor of the baseline; expected a k6 metric name${closest ? ` such as ${JSON.stringify(closest)} (the closest known one)` : ''}`,
    );
  }
  return problems;
}

/**
 * Watched stats that neither this run nor the baseline has for a metric one of them has (`http_reqs:p(95)`:
 * a counter has no percentiles): a config error listing the metric's stats, rather than a "missing"
 * regression. Percentiles the rules name are asked of k6 (summaryTrendStats), so a trend has them.
 */
export function unknownWatchedStats(rules: Rules, known: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  for (const rule of rules.watch) {
    const stats = known.get(rule.metric);
    if (rule.origin === 'default' || !stats || stats.has(rule.stat)) continue;
    problems.push(
      `watched stat ${JSON.stringify(`${rule.metric}:${rule.stat}`)} is not a stat of this run nor of the baseline; expected one of ${[...stats].sort().join(', ')}`,
    );
  }
  return problems;
}
