// Merging shard states: the completeness check (one run's shards, every segment once, nothing
// missing) and the merger that adds the states of all shards to the state of the whole test,
// one file at a time. Pure.
import type { CheckResult } from '../model.js';
import { PER_INSTANCE_GAUGES } from '../samples/summary.js';
import { ShardStateError } from './merge-error.js';
import { addInto, DenseBuckets, histogramOfSum, type HistogramSum } from './state-histogram.js';
import { seriesKeyOf, SHARD_STATE_FORMAT, SHARD_STATE_VERSION, type ShardState, type StateMetric, type StateSeries } from './state.js';

// ---------------------------------------------------------------------------------------------
// Completeness

type Fraction = [number, number];

function parsePoint(text: string, segment: string, source: string): Fraction {
  const t = text.trim();
  let match = /^(\d+)\/(\d+)$/.exec(t);
  if (match && Number(match[2]) > 0) return [Number(match[1]), Number(match[2])];
  match = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (match) {
    const decimals = match[2] ?? '';
    return [Number(match[1] + decimals), 10 ** decimals.length];
  }
  throw new ShardStateError(`${source}: execution segment ${JSON.stringify(segment)} is not "from:to"; expected e.g. "1/3:2/3"`);
}

function compareFractions(a: Fraction, b: Fraction): number {
  return a[0] * b[1] - b[0] * a[1];
}

function showFraction([n, d]: Fraction): string {
  if (n === 0) return '0';
  if (n === d) return '1';
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const g = gcd(n, d);
  return `${n / g}/${d / g}`;
}

function who(state: ShardState, source: string): string {
  const shard = state.shard ? `shard ${state.shard.index}/${state.shard.count}` : state.instance ? `runner ${state.instance}` : 'a runner';
  return `${shard} (segment ${state.segment}, ${source})`;
}

/**
 * Checks that the states are one whole test: one scenario, one segment sequence, every shard once,
 * and segments that cover 0 to 1 without a gap or an overlap. Throws a ShardStateError naming the
 * missing or duplicated shard (or segment) otherwise. `sources` name the states (file names).
 */
export function checkStatesComplete(
  states: readonly ShardState[],
  sources: readonly string[] = states.map((_, i) => `state ${i + 1}`),
): void {
  if (states.length === 0) throw new ShardStateError('no shard states to merge; expected one state file per shard');
  const scenarios = new Set(states.map((s) => s.scenario));
  if (scenarios.size > 1) {
    throw new ShardStateError(
      `the shard states are of different scenarios (${[...scenarios].join(', ')}); expected the states of one test`,
    );
  }
  const sequences = new Set(states.map((s) => s.sequence));
  if (sequences.size > 1) {
    throw new ShardStateError(
      `the shard states come from different segment sequences (${[...sequences].map((s) => JSON.stringify(s)).join(', ')}); expected the shards of one run`,
    );
  }
  // Shard numbers first: the message a user of `--shard I/N` recognises.
  const byIndex = new Map<number, number>();
  let count: number | undefined;
  for (const [i, state] of states.entries()) {
    if (!state.shard) continue;
    if (count !== undefined && state.shard.count !== count) {
      throw new ShardStateError(
        `${who(state, sources[i])} is a shard of ${state.shard.count} but others are of ${count}; expected the shards of one run`,
      );
    }
    count = state.shard.count;
    const seen = byIndex.get(state.shard.index);
    if (seen !== undefined) {
      throw new ShardStateError(
        `shard ${state.shard.index} of ${count} appears twice (${sources[seen]} and ${sources[i]}); expected one state file per shard`,
      );
    }
    byIndex.set(state.shard.index, i);
  }
  if (count !== undefined && byIndex.size === states.length) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
    if (missing.length > 0) {
      throw new ShardStateError(
        `shard(s) ${missing.join(', ')} of ${count} missing; found ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`,
      );
    }
  }
  // Segments: together exactly 0 to 1.
  const parts = states
    .map((state, i) => {
      const [from, to] = state.segment.split(':');
      return { i, from: parsePoint(from ?? '', state.segment, sources[i]), to: parsePoint(to ?? '', state.segment, sources[i]) };
    })
    .sort((a, b) => compareFractions(a.from, b.from) || compareFractions(a.to, b.to));
  let cursor: Fraction = [0, 1];
  let previous: (typeof parts)[number] | undefined;
  for (const part of parts) {
    const order = compareFractions(part.from, cursor);
    if (order < 0) {
      const twice = previous && compareFractions(previous.from, part.from) === 0 && compareFractions(previous.to, part.to) === 0;
      throw new ShardStateError(
        twice
          ? `segment ${states[part.i].segment} appears twice (${who(states[previous!.i], sources[previous!.i])} and ${who(states[part.i], sources[part.i])}); expected each segment once`
          : `${who(states[part.i], sources[part.i])} overlaps ${who(states[previous!.i], sources[previous!.i])}; expected segments of one sequence`,
      );
    }
    if (order > 0) {
      throw new ShardStateError(
        `segment ${showFraction(cursor)}:${showFraction(part.from)} missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`,
      );
    }
    cursor = part.to;
    previous = part;
  }
  if (compareFractions(cursor, [1, 1]) !== 0) {
    throw new ShardStateError(
      `segment ${showFraction(cursor)}:1 missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`,
    );
  }
}

type SeriesSum = Omit<StateSeries, 'histogram'> & { parts: number; total?: HistogramSum };

/**
 * Adds shard states one at a time, so a merge holds one parsed file plus the running sums (series ×
 * buckets), never all files at once. `result()` checks completeness (checkStatesComplete) and
 * returns the state of the whole test (segment `0:1`): counters, passes and fails, histogram
 * buckets and checks add exactly; gauges keep the latest value (the sum for the per-instance `vus`
 * and `vus_max`); a histogram in a finer schema is downscaled to the coarser one.
 */
export class StateMerger {
  /** Every state added, without its series (what the completeness check reads). */
  private readonly heads: ShardState[] = [];
  private readonly sources: string[] = [];
  private readonly series = new Map<string, SeriesSum>();
  private readonly metrics: Record<string, StateMetric & { endMs: number }> = {};
  private readonly checks = new Map<string, CheckResult>();
  private readonly thresholds: Record<string, Set<string>> = {};
  /** Per gauge series, the end of the shard its value came from. */
  private readonly gaugeEnd = new Map<string, number>();

  add(state: ShardState, source = `state ${this.heads.length + 1}`): void {
    this.heads.push({ ...state, series: [] });
    this.sources.push(source);
    const endMs = state.span.endMs;
    for (const s of state.series) {
      const key = seriesKeyOf(s.metric, s.tags);
      let seen = this.series.get(key);
      if (!seen) {
        const { histogram, ...rest } = s;
        seen = { ...rest, tags: { ...s.tags }, parts: 0 };
        if (histogram) {
          seen.total = { ...histogram, count: 0, sum: 0, zeroCount: 0, positive: new DenseBuckets(), negative: new DenseBuckets() };
        }
        if (s.type === 'counter' || (s.type === 'gauge' && PER_INSTANCE_GAUGES.has(s.metric))) seen.value = 0;
        if (s.type === 'rate') {
          seen.value = 0;
          if (s.passes !== undefined) [seen.passes, seen.fails] = [0, 0];
        }
        this.series.set(key, seen);
      } else if (seen.type !== s.type) {
        throw new ShardStateError(
          `metric ${s.metric} is a ${s.type} in ${source} and a ${seen.type} in another shard; were the shards run from different scripts?`,
        );
      }
      seen.parts++;
      if (s.histogram) {
        seen.total ??= { ...s.histogram, count: 0, sum: 0, zeroCount: 0, positive: new DenseBuckets(), negative: new DenseBuckets() };
        addInto(seen.total, s.histogram);
      } else if (s.type === 'counter') seen.value! += s.value ?? 0;
      else if (s.type === 'gauge') {
        if (PER_INSTANCE_GAUGES.has(s.metric)) seen.value! += s.value ?? 0;
        else if (endMs >= (this.gaugeEnd.get(key) ?? -Infinity)) {
          seen.value = s.value;
          this.gaugeEnd.set(key, endMs);
        }
      } else if (s.type === 'rate') {
        if (seen.passes !== undefined && s.passes !== undefined && s.fails !== undefined) {
          seen.passes += s.passes;
          seen.fails! += s.fails;
          seen.value = seen.passes + seen.fails! > 0 ? seen.passes / (seen.passes + seen.fails!) : 0;
        } else {
          // Fractions without counts: their mean (only per-series detail; per-metric rates come from k6's summaries).
          delete seen.passes;
          delete seen.fails;
          seen.value = (seen.value! * (seen.parts - 1) + (s.value ?? 0)) / seen.parts;
        }
      }
    }
    for (const [name, m] of Object.entries(state.metrics)) {
      const seen = this.metrics[name];
      if (!seen) {
        this.metrics[name] = { type: m.type, contains: m.contains, values: { ...m.values }, endMs };
        continue;
      }
      const perInstance = PER_INSTANCE_GAUGES.has(name);
      for (const [stat, value] of Object.entries(m.values)) {
        const before = seen.values[stat];
        if (before === undefined) seen.values[stat] = value;
        else if (perInstance) seen.values[stat] = before + value;
        else if (stat === 'min') seen.values[stat] = Math.min(before, value);
        else if (stat === 'max') seen.values[stat] = Math.max(before, value);
        else if (stat === 'value') seen.values[stat] = endMs >= seen.endMs ? value : before;
        else seen.values[stat] = before + value;
      }
      seen.endMs = Math.max(seen.endMs, endMs);
    }
    for (const check of state.checks) {
      const key = check.path ?? check.name;
      const seen = this.checks.get(key);
      if (seen) {
        seen.passes += check.passes;
        seen.fails += check.fails;
      } else this.checks.set(key, { ...check });
    }
    for (const [metric, expressions] of Object.entries(state.thresholds)) {
      for (const expression of expressions) (this.thresholds[metric] ??= new Set()).add(expression);
    }
  }

  /** The whole test's state; throws a ShardStateError naming a missing or duplicated shard or segment. */
  result(): ShardState {
    const states = this.heads;
    checkStatesComplete(states, this.sources);
    const versions = new Set(states.map((s) => s.k6Version).filter((v): v is string => v !== undefined));
    const durations = states.map((s) => s.span.durationMs).filter((d): d is number => d !== undefined);
    const series: StateSeries[] = [];
    for (const { parts: _parts, total, ...s } of this.series.values()) {
      if (!total) {
        series.push(s);
        continue;
      }
      series.push({ ...s, histogram: histogramOfSum(total) });
    }
    return {
      format: SHARD_STATE_FORMAT,
      version: SHARD_STATE_VERSION,
      scenario: states[0].scenario,
      ...(versions.size > 0 ? { k6Version: [...versions].join(', ') } : {}),
      segment: '0:1',
      sequence: states[0].sequence,
      span: {
        startMs: Math.min(...states.map((s) => s.span.startMs)),
        endMs: Math.max(...states.map((s) => s.span.endMs)),
        // Shards run the same schedule: the test lasted as long as its longest shard (CI jobs start apart).
        ...(durations.length > 0 ? { durationMs: Math.max(...durations) } : {}),
      },
      series,
      metrics: Object.fromEntries(Object.entries(this.metrics).map(([name, { endMs: _endMs, ...m }]) => [name, m])),
      checks: [...this.checks.values()],
      thresholds: Object.fromEntries(Object.entries(this.thresholds).map(([m, set]) => [m, [...set]])),
    };
  }
}

/** The states of all shards as the state of the whole test (see StateMerger). */
export function mergeStates(states: readonly ShardState[], sources?: readonly string[]): ShardState {
  if (states.length === 0) checkStatesComplete(states);
  const merger = new StateMerger();
  for (const [i, state] of states.entries()) merger.add(state, sources?.[i]);
  return merger.result();
}
