// The duet decision: A and B measured at the same time, compared window by window. Method and
// choices argued in docs/verdicts.md ("Duet verdicts") and docs/adr/0005-duet-verdicts.md. Pure.
//
// Per watched statistic, each window where both sides answered gives one paired value d: the
// log-ratio ln(B/A) for latencies (multiplicative noise; a ratio is what users read), the difference
// B − A for the error rate (0 on both sides has no ratio). Whatever slowed the machine in that
// second slowed both sides, so d keeps the change and little of the machine. The mean of d, its
// standard error from the moving-block bootstrap and the t reference: blocks.ts. No normality of the
// windows is assumed: the mean of n windows is close to normal by the central limit theorem for
// dependent data, which is what the bootstrap variance rests on.
//
// Across the watched statistics a Holm step-down (equal weights in the graphical procedure of
// Maurer & Bretz 2013, which carries over to group-sequential boundaries) keeps the chance of any
// false alarm at α however many statistics are watched. Over the looks, Lan–DeMets spending
// (sequential.ts) keeps it at α however many blocks are looked at.
import { minimumDetectableEffect } from '../../baseline/power.js';
import { studentTCdf, studentTQuantile } from '../../baseline/stats.js';
import { trendOfWindows, type SideWindow } from '../../samples/windows.js';
import type { TrendAccumulator } from '../../samples/histogram.js';
import { blockBootstrapMean, lag1Autocorrelation, ruleBlockLength, type BlockRule } from './blocks.js';
import { spendingBoundaries, type SpendingFunction } from './sequential.js';

export {
  blockBootstrapMean,
  blockLength,
  DUET_BLOCK_RULE,
  lag1Autocorrelation,
  ruleBlockLength,
  type BlockBootstrapMean,
  type BlockRule,
} from './blocks.js';

/** One watched value: a trend metric's statistic, or `rate` of failed requests (http_req_failed). */
export interface DuetStat {
  metric: string;
  /** `p(95)`, `avg`, `med`, … for a trend; `rate` for http_req_failed. */
  stat: string;
}

export const DUET_DEFAULT_STATS: readonly DuetStat[] = [
  { metric: 'http_req_duration', stat: 'p(90)' },
  { metric: 'http_req_duration', stat: 'p(95)' },
  { metric: 'http_req_duration', stat: 'p(99)' },
  { metric: 'http_req_duration', stat: 'avg' },
  { metric: 'http_req_duration', stat: 'med' },
  { metric: 'http_req_failed', stat: 'rate' },
];

/** Fewest paired windows a statistic is judged on (b ≥ 2, three blocks, 2 degrees of freedom). */
export const DUET_MIN_WINDOWS = 6;
/**
 * The practical size of the error rate, in absolute terms (0.005 = 0.5 percentage points): what
 * "equivalent" allows. A significant rise of the error rate is a regression at any size.
 */
export const DUET_RATE_MARGIN = 0.005;

export interface DuetOptions {
  /** Overall two-sided level (default 0.05). */
  alpha: number;
  /** Practical size of a latency change (0.05 = 5 %): smaller real changes are not regressions. */
  minEffect: number;
  spending: SpendingFunction;
  /** The block length rule (default DUET_BLOCK_RULE; the noise lab compares others). */
  blockRule?: BlockRule;
}

/**
 * Defaults chosen from the noise lab's live duets (docs/verdicts.md, 2 December 2026): α = 0.05 as
 * A/B mode; a practical size of 2 %, below the +3.8 % a live +5 % slowdown of the server measured end
 * to end and above what equal sides differed by (medians 0.0 % and −0.2 % on avg and med), with 1 to
 * 3 % deciding the recorded duets alike; Pocock-type spending, the only one that leaves α for a
 * decision at the first block (O'Brien–Fleming-type: the live +20 % in 1 of 10 first blocks against 5).
 */
export const DEFAULT_DUET_OPTIONS: DuetOptions = { alpha: 0.05, minEffect: 0.02, spending: 'pocock' };

export function duetStatId(s: DuetStat): string {
  return `${s.metric}:${s.stat}`;
}

/** The paired values of one statistic, and what they are. */
export interface PairedWindows {
  id: string;
  /** `log-ratio`: d = ln(B/A); `difference`: d = B − A (rates). */
  kind: 'log-ratio' | 'difference';
  /** The paired value of each window both sides measured in. */
  d: number[];
  /** The statistic over all paired windows of each side pooled (k6's unit: ms, or a rate 0..1). */
  pooledA: number;
  pooledB: number;
}

function trendValue(stat: string, trend: TrendAccumulator): number {
  if (stat === 'avg') return trend.avg;
  if (stat === 'med') return trend.percentile(50);
  if (stat === 'min') return trend.valueAtRank(0);
  if (stat === 'max') return trend.valueAtRank(trend.count - 1);
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (!m) throw new RangeError(`duet statistic ${JSON.stringify(stat)}; expected avg, med, min, max or p(N) such as p(95)`);
  return trend.percentile(Number(m[1]));
}

function failedRate(windows: readonly SideWindow[]): number {
  let failed = 0;
  let requests = 0;
  for (const w of windows) {
    failed += w.failedRequests;
    requests += w.requests;
  }
  return requests > 0 ? failed / requests : NaN;
}

function checkStat(stat: DuetStat): void {
  if (stat.stat !== 'rate' && !['avg', 'med', 'min', 'max'].includes(stat.stat) && !/^p\(\d+(?:\.\d+)?\)$/.test(stat.stat)) {
    throw new RangeError(`duet statistic ${JSON.stringify(stat.stat)}; expected avg, med, min, max or p(N) such as p(95)`);
  }
}

/**
 * The paired windows of every watched statistic (index i of A with index i of B; a window where a
 * side measured nothing is left out). Statistics of one metric share each window's trend, so
 * watching six statistics costs one pass over the windows.
 */
export function pairAll(a: readonly SideWindow[], b: readonly SideWindow[], stats: readonly DuetStat[]): PairedWindows[] {
  stats.forEach(checkStat);
  const n = Math.min(a.length, b.length);
  const trends = new Map<string, TrendAccumulator>();
  const trendOf = (side: readonly SideWindow[], which: string, metric: string, from: number, to: number) => {
    const key = `${which} ${metric} ${from} ${to}`;
    let t = trends.get(key);
    if (!t) {
      t = trendOfWindows(side.slice(from, to).map((w) => w.trends.get(metric)));
      trends.set(key, t);
    }
    return t;
  };
  return stats.map((stat): PairedWindows => {
    const isRate = stat.stat === 'rate';
    const usedA: SideWindow[] = [];
    const usedB: SideWindow[] = [];
    for (let i = 0; i < n; i++) {
      const ok = isRate
        ? a[i].requests > 0 && b[i].requests > 0
        : (a[i].trends.get(stat.metric)?.count ?? 0) > 0 && (b[i].trends.get(stat.metric)?.count ?? 0) > 0;
      if (ok) {
        usedA.push(a[i]);
        usedB.push(b[i]);
      }
    }
    // Windows of A and B as the statistic pairs them, keyed apart from other statistics' pairings.
    const pairing = isRate ? 'requests' : `trend ${stat.metric}`;
    const paired = isRate
      ? (i: number) => failedRate([usedB[i]]) - failedRate([usedA[i]])
      : (i: number) => {
          const va = trendValue(stat.stat, trendOf(usedA, `A ${pairing}`, stat.metric, i, i + 1));
          const vb = trendValue(stat.stat, trendOf(usedB, `B ${pairing}`, stat.metric, i, i + 1));
          return va > 0 && vb > 0 ? Math.log(vb / va) : NaN;
        };
    // A statistic of 0 in a window (min of a trend with zeros) has no ratio: that window is left out.
    const d = Array.from({ length: usedA.length }, (_, i) => paired(i)).filter(Number.isFinite);
    const whole = (side: SideWindow[], which: string) =>
      side.length === 0
        ? NaN
        : isRate
          ? failedRate(side)
          : trendValue(stat.stat, trendOf(side, `${which} ${pairing}`, stat.metric, 0, side.length));
    return {
      id: duetStatId(stat),
      kind: isRate ? 'difference' : 'log-ratio',
      d,
      pooledA: whole(usedA, 'A'),
      pooledB: whole(usedB, 'B'),
    };
  });
}

/** The paired windows of one statistic (pairAll for one). */
export function pairWindows(a: readonly SideWindow[], b: readonly SideWindow[], stat: DuetStat): PairedWindows {
  return pairAll(a, b, [stat])[0];
}

export type DuetStatVerdict = 'regressed' | 'improved' | 'equivalent' | 'undecided';

export interface DuetStatResult {
  id: string;
  kind: PairedWindows['kind'];
  verdict: DuetStatVerdict;
  /** Paired windows the verdict rests on. */
  windows: number;
  /** B vs A: a relative change for latencies (e^mean − 1), a difference for the error rate. */
  change: number;
  /** The interval of `change` at this look's level for one statistic (not corrected for the others). */
  interval: [number, number];
  /** Two-sided p-value of "no change" (t with `df`); NaN with too few windows. */
  p: number;
  /** The nominal level of this statistic's test of "no change" at this look (after spending and Holm). */
  level: number;
  blockLength: number;
  df: number;
  /** Lag-1 autocorrelation of the paired values (what the block length rule looked at). */
  autocorrelation?: number;
  pooledA: number;
  pooledB: number;
  /** The smallest change this look calls: the practical size, or the window noise when it is larger. */
  floor: { value: number; source: 'practical size' | 'window noise' };
  /** The change found 80 % of the time at the overall α with this look's noise (same scale as `change`). */
  mde: number;
  /** Why the verdict is `undecided`, or the margin of `equivalent`, in words. */
  note?: string;
}

export type DuetOutcome = 'regressed' | 'improved' | 'equivalent' | 'continue' | 'inconclusive';

export interface DuetLook {
  /** 1-based look number. */
  look: number;
  /** Information fraction: windows so far / the maximum windows. */
  fraction: number;
  outcome: DuetOutcome;
  /** Why it stopped or went on, in words. */
  reason: string;
  stats: DuetStatResult[];
}

/** Boundaries already computed (a duet asks for the same few again at every look; simulations thousands of times). */
const boundaries = new Map<string, number>();

function nominalLevel(spending: SpendingFunction, fractions: readonly number[], alpha: number): number {
  const key = `${spending} ${alpha} ${fractions.join(' ')}`;
  let v = boundaries.get(key);
  if (v === undefined) {
    v = spendingBoundaries(spending, fractions, alpha).nominal[fractions.length - 1];
    if (boundaries.size >= 1024) boundaries.clear();
    boundaries.set(key, v);
  }
  return v;
}

const quantiles = new Map<string, number>();

function tQuantile(p: number, df: number): number {
  const key = `${p} ${df}`;
  let v = quantiles.get(key);
  if (v === undefined) {
    v = studentTQuantile(p, df);
    if (quantiles.size >= 4096) quantiles.clear();
    quantiles.set(key, v);
  }
  return v;
}

const mdeFactors = new Map<string, number>();

/** The MDE per unit of standard error, (t₁₋α/₂ + z₁₋β): linear in the SE, so one per α and df. */
function mdeFactor(alpha: number, df: number): number {
  const key = `${alpha} ${df}`;
  let v = mdeFactors.get(key);
  if (v === undefined) {
    v = minimumDetectableEffect(1, { alpha, df });
    if (mdeFactors.size >= 1024) mdeFactors.clear();
    mdeFactors.set(key, v);
  }
  return v;
}

const toChange = (kind: PairedWindows['kind'], v: number) => (kind === 'log-ratio' ? Math.expm1(v) : v);

/**
 * Holm over the statistics: the ids found significant at an earlier look, then, in order of p,
 * each whose p is at most `levelFor(statistics left)`.
 */
function holmSignificant(
  tests: readonly { p: PairedWindows; pValue: number }[],
  m: number,
  previous: DuetLook | undefined,
  levelFor: (left: number) => number,
): Set<string> {
  const significant = new Set<string>();
  for (const s of previous?.stats ?? []) if (s.verdict === 'regressed' || s.verdict === 'improved') significant.add(s.id);
  for (;;) {
    const left = m - significant.size;
    if (left === 0) break;
    const level = levelFor(left);
    const next = tests.filter((t) => !significant.has(t.p.id) && Number.isFinite(t.pValue)).sort((x, y) => x.pValue - y.pValue)[0];
    if (!next || next.pValue > level) break;
    significant.add(next.p.id);
  }
  return significant;
}

/**
 * Decides one look. `pairs` are the paired windows of every watched statistic so far, `fractions`
 * the information fractions of all looks up to this one (the last is this look's), `final` whether
 * no more blocks will come (max-duration reached). `previous` is the last look's result: a statistic
 * found significant there stays so (a group-sequential rejection is final).
 */
export function decideLook(
  pairs: readonly PairedWindows[],
  fractions: readonly number[],
  final: boolean,
  options: DuetOptions = DEFAULT_DUET_OPTIONS,
  previous?: DuetLook,
): DuetLook {
  const k = fractions.length;
  // The nominal level at this look for a test at overall level a.
  const nominal = (a: number) => nominalLevel(options.spending, fractions, a);
  const tests = pairs.map((p) => {
    const enough = p.d.length >= DUET_MIN_WINDOWS;
    const m = enough ? blockBootstrapMean(p.d, p.d.length, ruleBlockLength(p.d, p.d.length, options.blockRule)) : undefined;
    let pValue = NaN;
    if (m) pValue = m.se > 0 ? 2 * (1 - studentTCdf(Math.abs(m.mean) / m.se, m.df)) : m.mean === 0 ? 1 : 0;
    return { p, m, pValue };
  });
  // Holm over the statistics: reject in order of p while p ≤ the level for α/(statistics left).
  const m = pairs.length;
  const significant = holmSignificant(tests, m, previous, (left) => nominal(options.alpha / left));
  const levelLeft = nominal(options.alpha / Math.max(1, m - significant.size));
  const unadjusted = nominal(options.alpha);
  const stats = tests.map(({ p, m: mm, pValue }): DuetStatResult => {
    const level = significant.has(p.id) ? nominal(options.alpha / Math.max(1, m - significant.size + 1)) : levelLeft;
    const practical = p.kind === 'log-ratio' ? Math.log1p(options.minEffect) : 0;
    const margin = p.kind === 'log-ratio' ? Math.log1p(options.minEffect) : DUET_RATE_MARGIN;
    const base = { id: p.id, kind: p.kind, windows: p.d.length, pooledA: p.pooledA, pooledB: p.pooledB, level };
    if (!mm) {
      return {
        ...base,
        verdict: 'undecided',
        change: NaN,
        interval: [NaN, NaN],
        p: NaN,
        blockLength: 0,
        df: 0,
        floor: { value: toChange(p.kind, practical), source: 'practical size' },
        mde: NaN,
        note: `${p.d.length} paired windows; at least ${DUET_MIN_WINDOWS} are needed`,
      };
    }
    // The interval at the look's level for one statistic: "equivalent" needs every statistic's
    // interval inside its margin, an intersection-union test, which needs no correction for the
    // number of statistics (Berger 1982); "changed" needs the Holm-corrected p.
    const q = tQuantile(1 - unadjusted / 2, mm.df);
    const half = q * mm.se;
    const low = mm.mean - half;
    const high = mm.mean + half;
    const noiseWins = half > practical;
    const floorValue = Math.max(half, practical);
    let verdict: DuetStatVerdict = 'undecided';
    let note: string | undefined;
    const previousVerdict = previous?.stats.find((s) => s.id === p.id)?.verdict;
    if (significant.has(p.id) && Math.abs(mm.mean) > practical) verdict = mm.mean > 0 ? 'regressed' : 'improved';
    // Found at an earlier look: a group-sequential rejection is final.
    else if (previousVerdict === 'regressed' || previousVerdict === 'improved') verdict = previousVerdict;
    else if (low > -margin && high < margin) {
      verdict = 'equivalent';
      note = `equivalent within ±${formatSize(p.kind, margin)}`;
    } else if (significant.has(p.id)) note = `a real change, smaller than the practical size ${formatSize(p.kind, practical)}`;
    else note = `the interval reaches past ±${formatSize(p.kind, margin)} and holds 0`;
    return {
      ...base,
      verdict,
      change: toChange(p.kind, mm.mean),
      interval: [toChange(p.kind, low), toChange(p.kind, high)],
      p: pValue,
      blockLength: mm.blockLength,
      df: mm.df,
      autocorrelation: lag1Autocorrelation(p.d),
      floor: { value: toChange(p.kind, floorValue), source: noiseWins ? 'window noise' : 'practical size' },
      mde: toChange(p.kind, mdeFactor(options.alpha, mm.df) * mm.se),
      ...(note ? { note } : {}),
    };
  });
  return { look: k, fraction: fractions[k - 1], ...overall(stats, final, options), stats };
}

function formatSize(kind: PairedWindows['kind'], v: number): string {
  return kind === 'log-ratio' ? `${(Math.expm1(v) * 100).toFixed(1)} %` : `${(v * 100).toFixed(2)} pp`;
}

function overall(stats: readonly DuetStatResult[], final: boolean, options: DuetOptions): { outcome: DuetOutcome; reason: string } {
  const ids = (v: DuetStatVerdict) => stats.filter((s) => s.verdict === v).map((s) => s.id);
  const regressed = ids('regressed');
  if (regressed.length > 0) return { outcome: 'regressed', reason: `B is worse than A on ${regressed.join(', ')}` };
  const undecided = ids('undecided');
  if (undecided.length === 0) {
    const improved = ids('improved');
    if (improved.length > 0) return { outcome: 'improved', reason: `B is better than A on ${improved.join(', ')}; the rest equivalent` };
    const margins = [
      ...(stats.some((s) => s.kind === 'log-ratio') ? [`±${formatSize('log-ratio', Math.log1p(options.minEffect))} on latencies`] : []),
      ...(stats.some((s) => s.kind === 'difference') ? [`±${formatSize('difference', DUET_RATE_MARGIN)} on the error rate`] : []),
    ];
    return { outcome: 'equivalent', reason: `B is equivalent to A within ${margins.join(' and ')}` };
  }
  if (!final) return { outcome: 'continue', reason: `not decided yet: ${undecided.join(', ')}` };
  return { outcome: 'inconclusive', reason: `max-duration reached without a decision on ${undecided.join(', ')}` };
}

// The whole sequential decision over recorded or simulated windows lives in replay.ts (which imports
// this module; a re-export here would close an import circle).
