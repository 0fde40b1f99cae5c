// Compares one run's summary with the baseline, metric by metric. Pure: data in, data out.
//
// A metric regresses only when its value is worse than ALL of these limits at once:
//   - the relative tolerance around the accepted value (default 10%),
//   - the absolute noise floor around it (2 ms for times, 0.5 percentage points for ratios),
//   - and, once the history holds ≥ minHistory runs, the Student-t prediction interval of the
//     history (log scale, 99% by default), i.e. what another run of the same code would likely show,
//   - and, when the run's own sampling interval of the value is known (order statistics of its raw
//     samples for a percentile, Wilson for a rate; see sampling.ts), its optimistic end too: a p(99)
//     from 400 samples that only its top 4 requests pushed over the limit is "too thin to judge".
// Improvements are judged the same way in the other direction.
import { readStat } from '../k6/summary.js';
import type { Direction, MetricComparison, RunSummary } from '../model.js';
import type { BaselineFile, BaselineStat } from './format.js';
import { formatChange, formatDelta, formatPercent, formatSetting, formatValue, type Unit } from '../format.js';
import { describeMetric, inferDirection } from '../metric-kind.js';
import type { MetricRule, Rules } from './rules.js';
import { predictionInterval, withoutOutliers, type PredictionInterval } from './stats.js';
import { MDE_POWER, mdeHistory, mdeOfInterval, relativeTowards } from './power.js';
import { wilsonInterval } from './sampling.js';

/** The sampling interval of one value of this run: `low`/`high` undefined = unbounded on that side. */
export interface SamplingBand {
  /** Samples (requests, checks, …) the value rests on. */
  n: number;
  low?: number;
  high?: number;
  confidence: number;
}

export interface CompareInput {
  key: string;
  summary: RunSummary;
  baseline: BaselineFile | undefined;
  rules: Rules;
  /** Sampling bands of trend percentiles from the run's raw samples, by metric then stat. */
  sampling?: Record<string, Record<string, SamplingBand>>;
}

/** Confidence of the sampling bands (two-sided). */
export const SAMPLING_CONFIDENCE = 0.95;

/** The noise floor of a rule in the metric's unit. */
export function noiseFloorFor(rule: MetricRule, unit: Unit, rules: Rules): number {
  if (rule.noiseFloor !== undefined) return rule.noiseFloor;
  if (unit === 'ms') return rules.noiseFloorMs;
  if (unit === 'ratio') return rules.noiseFloorRatio;
  return 0;
}

export interface Decision {
  verdict: 'regressed' | 'improved' | 'unchanged';
  method: 'prediction-interval' | 'tolerance';
  /** Values inside are neither a regression nor an improvement. */
  band: { low: number; high: number };
  /** The limit on the bad side and what set it. */
  limit: number;
  limitBy: 'tolerance' | 'noise floor' | 'interval';
  interval?: PredictionInterval;
  /** History values the decision used (after leaving out outliers). */
  samples: number;
  /** History values left out of the interval as disturbed runs. */
  outliers: number;
  /** The value alone was past a limit, but its own sampling band reaches back inside: not judged. */
  thin?: boolean;
  /**
   * The smallest change the interval can see (MDE at α = 1 − confidence, power MDE_POWER): relative
   * (0.27 = 27 %), for ratios an absolute difference. Only with an interval: without a history
   * spread, no α is controlled and nothing honest can be said (docs/baseline.md).
   */
  mde?: number;
}

export interface DecisionInput {
  accepted: number;
  current: number;
  /** History values, oldest first (already cut to the history limit). */
  history: readonly number[];
  direction: Direction;
  unit: Unit;
  tolerance: number;
  noiseFloor: number;
  confidence: number;
  minHistory: number;
  /** The run's own sampling interval of `current`, when known. */
  sampling?: SamplingBand;
}

/**
 * The verdict for one value. Success ratios (higher-is-better values in 0..1, such as `checks`) are
 * judged on their complement, the failure ratio: a relative tolerance of 10% on 99.9% would let the
 * failures grow from 0.1% to 10%, which nobody means by "10%".
 */
export function decide(input: DecisionInput): Decision {
  const complement = input.unit === 'ratio' && input.direction === 'higher-is-better';
  const toSpace = (v: number) => (complement ? 1 - v : v);
  const badIsUp = input.direction === 'lower-is-better' || complement;
  const b = toSpace(input.accepted);
  const c = toSpace(input.current);
  const history = input.history.map(toSpace);
  const enough = Math.max(2, input.minHistory);
  const { kept, dropped } = history.length >= enough ? withoutOutliers(history, enough) : { kept: history, dropped: [] };
  const interval = kept.length >= enough ? predictionInterval(kept, input.confidence) : undefined;
  const margin = Math.abs(b) * input.tolerance;

  // On the bad side the widest limit wins, so a regression must clear every one of them.
  const candidates: { value: number; by: Decision['limitBy'] }[] = badIsUp
    ? [
        { value: b + margin, by: 'tolerance' },
        { value: b + input.noiseFloor, by: 'noise floor' },
      ]
    : [
        { value: b - margin, by: 'tolerance' },
        { value: b - input.noiseFloor, by: 'noise floor' },
      ];
  if (interval) candidates.push({ value: badIsUp ? interval.high : interval.low, by: 'interval' });
  const worst = candidates.reduce((a, x) => (badIsUp ? (x.value > a.value ? x : a) : x.value < a.value ? x : a));
  const betterCandidates = badIsUp ? [b - margin, b - input.noiseFloor] : [b + margin, b + input.noiseFloor];
  if (interval) betterCandidates.push(badIsUp ? interval.low : interval.high);
  const better = badIsUp ? Math.min(...betterCandidates) : Math.max(...betterCandidates);

  // The sampling band in the same space: its end nearest to good must clear a limit as well.
  const unbounded = badIsUp ? -Infinity : Infinity;
  const towardGood = input.sampling
    ? badIsUp
      ? complement
        ? input.sampling.high
        : input.sampling.low
      : complement
        ? input.sampling.low
        : input.sampling.high
    : c;
  const towardBad = input.sampling
    ? badIsUp
      ? complement
        ? input.sampling.low
        : input.sampling.high
      : complement
        ? input.sampling.high
        : input.sampling.low
    : c;
  const optimistic = towardGood === undefined ? unbounded : toSpace(towardGood);
  const pessimistic = towardBad === undefined ? -unbounded : toSpace(towardBad);

  let verdict: Decision['verdict'] = 'unchanged';
  let thin = false;
  if (badIsUp ? c > worst.value : c < worst.value) {
    if (badIsUp ? optimistic > worst.value : optimistic < worst.value) verdict = 'regressed';
    else thin = true;
  } else if (badIsUp ? c < better && pessimistic < better : c > better && pessimistic > better) verdict = 'improved';

  const back = (v: number) => (complement ? 1 - v : v);
  const mde = interval ? mdeInUnits(interval, input.confidence, input.unit, b, badIsUp ? 'up' : 'down') : undefined;
  let low = Math.min(back(worst.value), back(better));
  let high = Math.max(back(worst.value), back(better));
  if (input.unit !== 'none') low = Math.max(0, low);
  if (input.unit === 'ratio') high = Math.min(1, high);
  return {
    verdict,
    method: interval ? 'prediction-interval' : 'tolerance',
    band: { low, high },
    limit: back(worst.value),
    limitBy: worst.by,
    interval:
      interval && complement ? { ...interval, low: 1 - interval.high, high: 1 - interval.low, centre: 1 - interval.centre } : interval,
    samples: kept.length,
    outliers: dropped.length,
    ...(thin ? { thin } : {}),
    ...(mde !== undefined ? { mde } : {}),
  };
}

/**
 * The interval's MDE in the terms of `change`: on the log scale the size of a relative change in the
 * worse direction (e^MDE − 1 up, 1 − e^−MDE down); on the linear scale (a zero in the history) the
 * MDE over the accepted value. A ratio's MDE is an absolute difference (centre · (e^MDE − 1) on the
 * log scale; ratios are judged where worse is up), like its noise floor.
 */
function mdeInUnits(
  interval: PredictionInterval,
  confidence: number,
  unit: Unit,
  accepted: number,
  worse: 'up' | 'down',
): number | undefined {
  const mde = mdeOfInterval(interval, confidence);
  if (interval.scale === 'log') return unit === 'ratio' ? interval.centre * Math.expm1(mde) : relativeTowards(mde, worse);
  if (unit === 'ratio') return mde;
  return accepted !== 0 ? mde / Math.abs(accepted) : undefined;
}

/** "p(99) from 412 samples: −3.1/+∞ ms" — how far this run's own value could be off. */
export function describeSampling(stat: string, current: number, band: SamplingBand, unit: Unit): string {
  const below = band.low === undefined ? '∞' : formatDelta(Math.max(0, current - band.low), unit);
  const above = band.high === undefined ? '∞' : formatDelta(Math.max(0, band.high - current), unit);
  return `${stat} from ${band.n} samples: −${below}/+${above} (${formatPercent(band.confidence)})`;
}

/** A rate's Wilson band from its passes/fails, when the summary has them. */
function rateBand(values: Record<string, number | undefined> | undefined, stat: string): SamplingBand | undefined {
  if (stat !== 'rate' || !values) return undefined;
  const passes = values.passes;
  const fails = values.fails;
  if (typeof passes !== 'number' || typeof fails !== 'number' || passes + fails <= 0) return undefined;
  const { low, high } = wilsonInterval(passes, passes + fails, SAMPLING_CONFIDENCE);
  return { n: passes + fails, low, high, confidence: SAMPLING_CONFIDENCE };
}

function limitText(decision: Decision, tolerance: number, floor: number, confidence: number, unit: Unit): string {
  const by =
    decision.limitBy === 'tolerance'
      ? `${formatPercent(tolerance)} tolerance`
      : decision.limitBy === 'noise floor'
        ? `${formatSetting(floor, unit)} noise floor`
        : `${formatPercent(confidence)} interval`;
  return `limit ${formatValue(decision.limit, unit)} by ${by}`;
}

function changeText(accepted: number, current: number, unit: Unit): string {
  if (accepted !== 0) return formatChange(current / accepted - 1);
  const delta = current - accepted;
  return `${delta >= 0 ? '+' : '-'}${formatDelta(Math.abs(delta), unit)}`;
}

/** The row of a watched statistic this run lacks: why it is missing, and how much that weighs. */
function missingComparison(
  rule: MetricRule,
  summary: RunSummary,
  stat: BaselineStat | undefined,
  rules: Rules,
  base: Pick<MetricComparison, 'metric' | 'stat' | 'unit' | 'direction' | 'tolerance'>,
  samples: number,
): MetricComparison {
  const metricSummary = summary.metrics[rule.metric];
  const unit = base.unit;
  const why = metricSummary
    ? metricSummary.values[rule.stat] === undefined
      ? `this run's ${rule.metric} has no ${rule.stat}`
      : `this run's ${rule.metric} ${rule.stat} is not a number (${String(metricSummary.values[rule.stat])})`
    : `this run has no ${rule.metric}`;
  return {
    ...base,
    baseline: stat?.accepted,
    verdict: 'missing',
    method: 'none',
    samples,
    severity: rule.missing ?? rules.missing,
    note: stat
      ? `${rule.stat} missing: ${why} (baseline ${formatValue(stat.accepted, unit)}, n=${samples})`
      : `${rule.stat} missing: ${why}, nor has the baseline`,
  };
}

function compareOne(
  rule: MetricRule,
  summary: RunSummary,
  stat: BaselineStat | undefined,
  rules: Rules,
  sampled?: SamplingBand,
): MetricComparison | undefined {
  const metricSummary = summary.metrics[rule.metric];
  const current = readStat(summary, rule.metric, rule.stat);
  const { type, unit } = describeMetric(rule.metric, rule.stat, metricSummary, stat);
  const direction = rule.direction ?? inferDirection(rule.metric, rule.stat, type);
  const tolerance = rule.tolerance ?? rules.tolerance;
  const base = { metric: rule.metric, stat: rule.stat, unit, direction, tolerance };
  const history = stat ? stat.history.slice(-rules.historyLimit).map((entry) => entry.value) : [];

  if (current === undefined) {
    if (!stat && rule.origin === 'default') return undefined;
    return missingComparison(rule, summary, stat, rules, base, history.length);
  }
  if (!stat) {
    return {
      ...base,
      current,
      verdict: 'new',
      method: 'none',
      samples: 0,
      note: `${rule.stat} ${formatValue(current, unit)}, new: no baseline yet`,
    };
  }

  const floor = noiseFloorFor(rule, unit, rules);
  const sampling = sampled ?? rateBand(metricSummary?.values as Record<string, number | undefined> | undefined, rule.stat);
  const decision = decide({
    accepted: stat.accepted,
    current,
    history,
    direction,
    unit,
    tolerance,
    noiseFloor: floor,
    confidence: rules.confidence,
    minHistory: rules.minHistory,
    sampling,
  });
  const spread = decision.interval ? ` ±${formatDelta((decision.interval.high - decision.interval.low) / 2, unit)}` : '';
  const note =
    `${rule.stat} ${formatValue(current, unit)} vs ${formatValue(stat.accepted, unit)}${spread}, n=${decision.samples}${decision.outliers ? ` (+${decision.outliers} outlier${decision.outliers === 1 ? '' : 's'} left out)` : ''}, ` +
    `${changeText(stat.accepted, current, unit)}, ${limitText(decision, tolerance, floor, rules.confidence, unit)}` +
    (decision.thin && sampling ? `; too thin to judge: ${describeSampling(rule.stat, current, sampling, unit)}` : '');
  const comparison: MetricComparison = {
    ...base,
    baseline: stat.accepted,
    current,
    verdict: decision.verdict,
    method: decision.method,
    band: decision.band,
    limitBy: decision.limitBy,
    samples: decision.samples,
    note,
  };
  if (sampling) comparison.sampling = sampling;
  if (decision.thin) comparison.thin = true;
  if (decision.mde !== undefined && decision.interval) {
    comparison.mde = decision.mde;
    comparison.mdeBasis = {
      source: 'history',
      spread: decision.interval.spread,
      scale: decision.interval.scale,
      alpha: 1 - rules.confidence,
      power: MDE_POWER,
    };
  }
  if (stat.accepted !== 0) comparison.change = current / stat.accepted - 1;
  return comparison;
}

/**
 * A history row's MDE at another power per run. Confirmation reruns call a regression only when
 * every one of `runs` runs sees it; runs of one job that compare with one history are positively
 * associated, so a power of MDE_POWER^(1/runs) per run keeps the whole at MDE_POWER or above (with
 * independent runs exactly MDE_POWER). Rows without a history basis are returned as they are.
 */
export function mdeForRuns(row: MetricComparison, runs: number): MetricComparison {
  const basis = row.mdeBasis;
  if (!basis || row.mde === undefined || runs <= 1 || row.samples < 2) return row;
  const power = MDE_POWER ** (1 / runs);
  const before = mdeHistory(basis.spread, row.samples, { alpha: basis.alpha, power: basis.power });
  const after = mdeHistory(basis.spread, row.samples, { alpha: basis.alpha, power });
  // Every conversion of mdeInUnits is a fixed factor times the relative change (log scale; ratios
  // are worse up) or times the MDE itself (linear).
  const worse = row.unit === 'ratio' ? 'up' : worseWay(row.direction);
  const scale = basis.scale === 'log' ? relativeTowards(after, worse) / relativeTowards(before, worse) : after / before;
  return { ...row, mde: before > 0 ? row.mde * scale : row.mde, mdeBasis: { ...basis, power } };
}

/** Which way a value moves when it gets worse. */
export function worseWay(direction: Direction): 'up' | 'down' {
  return direction === 'lower-is-better' ? 'up' : 'down';
}

/** Every watched metric of one scenario run compared with the baseline entry under `key`. */
export function compareToBaseline(input: CompareInput): MetricComparison[] {
  const scenario = input.baseline?.scenarios[input.key];
  const out: MetricComparison[] = [];
  for (const rule of input.rules.watch) {
    const comparison = compareOne(
      rule,
      input.summary,
      scenario?.metrics[rule.metric]?.[rule.stat],
      input.rules,
      input.sampling?.[rule.metric]?.[rule.stat],
    );
    if (comparison) out.push(comparison);
  }
  return out;
}

/** A comparison that should fail a gate set to fail on regressions. */
export function isRegression(comparison: MetricComparison): boolean {
  return comparison.verdict === 'regressed' || (comparison.verdict === 'missing' && comparison.severity === 'error');
}

/** Counts per verdict plus the number of comparisons that count as regressions (see isRegression). */
export function summarizeComparisons(
  comparisons: readonly MetricComparison[],
): Record<MetricComparison['verdict'], number> & { regressions: number } {
  const counts = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0, new: 0, missing: 0, regressions: 0 };
  for (const c of comparisons) {
    counts[c.verdict]++;
    if (isRegression(c)) counts.regressions++;
  }
  return counts;
}
