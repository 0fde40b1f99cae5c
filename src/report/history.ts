// The short history a report draws next to each watched stat (the sparkline), with this run last.
// Pure: the baseline's entry in, the report's `trend` out.
import type { BaselineScenario } from '../baseline/format.js';
import { trendSeries } from '../baseline/trend.js';
import type { MetricComparison, ScenarioResult } from '../model.js';

/**
 * Each compared stat's accepted values, oldest first, then this run's. The values are the stat's
 * own history (what its verdict's "n" counts, cut to `historyLimit`), or the baseline's long trend
 * when that holds more runs: the picture never claims more history than it shows, nor shows less
 * than the verdict used.
 */
export function reportTrend(
  entry: BaselineScenario | undefined,
  metrics: readonly MetricComparison[],
  historyLimit: number,
): ScenarioResult['trend'] {
  if (!entry) return undefined;
  const out = metrics.flatMap((m) => {
    const history = (entry.metrics[m.metric]?.[m.stat]?.history ?? []).slice(-historyLimit).map((h) => h.value);
    const long = entry.trend ? trendSeries(entry.trend, `${m.metric} ${m.stat}`).map((p) => p.value) : [];
    const values = (long.length > history.length ? long : history).filter(Number.isFinite);
    if (values.length === 0) return [];
    if (m.current !== undefined && Number.isFinite(m.current)) values.push(m.current);
    return [
      { metric: m.metric, stat: m.stat, values, accepted: values.length - (m.current !== undefined && Number.isFinite(m.current) ? 1 : 0) },
    ];
  });
  return out.length > 0 ? out : undefined;
}
