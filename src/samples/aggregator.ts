// The one streaming sample aggregator: turns k6's `--out json` lines into compact per-series
// state (counts, sums, bounded trend histograms, per-file gauges, checks) and, when asked, a
// per-endpoint breakdown with the error mix. The shard merge feeds it finished files; live
// analysis feeds it a file while k6 is still writing it; the noise bands read its trends.
//
// Memory is bounded whatever the run length: a trend keeps at most DEFAULT_EXACT_LIMIT numbers,
// then a log histogram (see histogram.ts); the breakdown caps its endpoints and error kinds.
import { ExpectedError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CheckResult, MetricContains, MetricType } from '../model.js';
import { EndpointBreakdown, type BreakdownOptions } from './breakdown.js';
import { TrendAccumulator, type BucketedDistribution } from './histogram.js';
import { readPointFast } from './ndjson.js';

/** A sample file that is not what k6 writes, or that contradicts another one. */
export class SampleError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SampleError';
  }
}

export interface AggregatorOptions {
  log?: Logger;
  /** Samples kept exactly per trend series before the histogram takes over. */
  exactLimit?: number;
  /** Relative precision of percentiles in histogram mode. */
  relativeError?: number;
  /** Called every 100,000 samples. */
  onProgress?: (samples: number) => void;
  /** Keep the per-endpoint breakdown and error mix (true = default limits). */
  breakdown?: boolean | BreakdownOptions;
}

export interface GaugeState {
  last: number;
  lastTime: number;
  min: number;
  max: number;
}

export interface Series {
  name: string;
  /** Tag filter of a submetric; undefined for the metric itself. */
  tags?: [string, string][];
  samples: number;
  sum: number;
  nonZero: number;
  trend?: TrendAccumulator;
  /** Per file index, for gauges. */
  gauges?: Map<number, GaugeState>;
}

export interface MetricState {
  name: string;
  type: MetricType;
  contains: MetricContains;
  main: Series;
  submetrics: Series[];
}

/** `http_req_duration{name:login,method:GET}` → parent and tag pairs, the way k6 reads them. */
export function parseSubmetricName(name: string): { parent: string; tags: [string, string][] } | undefined {
  const open = name.indexOf('{');
  if (open === -1) return undefined;
  if (!name.endsWith('}')) {
    throw new SampleError(`submetric ${JSON.stringify(name)} has no closing "}"; expected e.g. "http_req_duration{name:login}"`);
  }
  const parent = name.slice(0, open).trim();
  const tags: [string, string][] = [];
  for (const part of name.slice(open + 1, -1).split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) {
      throw new SampleError(
        `submetric ${JSON.stringify(name)}: ${JSON.stringify(part)} is not tag:value; expected e.g. "http_req_duration{name:login}"`,
      );
    }
    const unquote = (s: string) => s.trim().replace(/^["'`]|["'`]$/g, '');
    tags.push([unquote(part.slice(0, colon)), unquote(part.slice(colon + 1))]);
  }
  return { parent, tags };
}

/** One string per tag set, whatever the order of its tags. */
export function tagKey(tags: readonly (readonly [string, string])[]): string {
  return tags
    .map(([k, v]) => `${k}\u0000${v}`)
    .sort()
    .join('\u0001');
}

/** Distinct tag sets whose parsed form is kept. */
const TAG_SET_CACHE = 4096;

const METRIC_TYPES = new Set<MetricType>(['trend', 'rate', 'counter', 'gauge']);

export class SampleAggregator {
  readonly metrics = new Map<string, MetricState>();
  /** Submetrics wanted before their parent is defined: parent → name → tags. */
  private readonly pending = new Map<string, Map<string, [string, string][]>>();
  readonly thresholds = new Map<string, string[]>();
  readonly checks = new Map<string, CheckResult>();
  samples = 0;
  longestSpanMs = 0;
  /** Parsed tag sets by their JSON text (read-only once parsed: points share them). */
  private readonly tagSets = new Map<string, Record<string, string>>();
  private lastTimeText = '';
  private lastTime = NaN;

  /** Per-endpoint and error-mix state; only when asked for (the shard merge does not need it). */
  readonly breakdown: EndpointBreakdown | undefined;

  constructor(private readonly input: AggregatorOptions = {}) {
    this.breakdown = input.breakdown ? new EndpointBreakdown(input.breakdown === true ? {} : input.breakdown) : undefined;
  }

  wantSubmetric(name: string): void {
    const parsed = parseSubmetricName(name);
    if (!parsed) return;
    const known = this.metrics.get(parsed.parent);
    if (known) {
      this.attachSubmetric(known, name, parsed.tags);
      return;
    }
    const forParent = this.pending.get(parsed.parent) ?? new Map<string, [string, string][]>();
    forParent.set(name, parsed.tags);
    this.pending.set(parsed.parent, forParent);
  }

  addThreshold(metric: string, expression: string): void {
    const list = this.thresholds.get(metric) ?? [];
    if (!list.includes(expression)) list.push(expression);
    this.thresholds.set(metric, list);
    this.wantSubmetric(metric);
  }

  private newSeries(name: string, type: MetricType, tags?: [string, string][]): Series {
    return {
      name,
      tags,
      samples: 0,
      sum: 0,
      nonZero: 0,
      trend:
        type === 'trend' ? new TrendAccumulator({ exactLimit: this.input.exactLimit, relativeError: this.input.relativeError }) : undefined,
      gauges: type === 'gauge' ? new Map() : undefined,
    };
  }

  private attachSubmetric(metric: MetricState, name: string, tags: [string, string][]): void {
    const key = tagKey(tags);
    if (metric.submetrics.some((s) => tagKey(s.tags!) === key)) return;
    if (metric.main.samples > 0) {
      // Only when shard files disagree on a metric's submetrics: earlier points were not matched.
      this.input.log?.warning(
        `submetric ${name} first appears after ${metric.main.samples} points of ${metric.name}; its numbers miss those points (were the shards run from different scripts?)`,
      );
    }
    metric.submetrics.push(this.newSeries(name, metric.type, tags));
  }

  define(data: Record<string, unknown>, where: string): void {
    const name = data.name;
    const type = data.type as MetricType;
    if (typeof name !== 'string' || !METRIC_TYPES.has(type)) {
      throw new SampleError(
        `${where}: Metric line without a name and a type of trend, rate, counter or gauge: ${JSON.stringify(data).slice(0, 160)}`,
      );
    }
    let metric = this.metrics.get(name);
    if (!metric) {
      const contains = (['time', 'data', 'default'] as const).includes(data.contains as MetricContains)
        ? (data.contains as MetricContains)
        : 'default';
      metric = { name, type, contains, main: this.newSeries(name, type), submetrics: [] };
      this.metrics.set(name, metric);
      for (const [subName, tags] of this.pending.get(name) ?? []) this.attachSubmetric(metric, subName, tags);
      this.pending.delete(name);
    } else if (metric.type !== type) {
      throw new SampleError(
        `${where}: metric ${name} is a ${type} here but a ${metric.type} in an earlier file; were the shards run from different scripts?`,
      );
    }
    if (Array.isArray(data.thresholds)) {
      for (const expression of data.thresholds) if (typeof expression === 'string') this.addThreshold(name, expression);
    }
    if (Array.isArray(data.submetrics)) {
      for (const sub of data.submetrics as { name?: unknown; tags?: unknown }[]) {
        if (sub && typeof sub.name === 'string' && sub.tags && typeof sub.tags === 'object') {
          this.attachSubmetric(
            metric,
            sub.name,
            Object.entries(sub.tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
          );
        }
      }
    }
  }

  private parseTime(text: unknown): number {
    if (text === this.lastTimeText) return this.lastTime;
    if (typeof text !== 'string') return NaN;
    this.lastTimeText = text;
    this.lastTime = Date.parse(text);
    return this.lastTime;
  }

  /** Whether Points of this metric need their tags (submetrics, checks); others skip parsing them. */
  private needsTags(metric: MetricState): boolean {
    return (
      metric.submetrics.length > 0 || metric.name === 'checks' || (this.breakdown !== undefined && EndpointBreakdown.wants(metric.name))
    );
  }

  private metricOf(metricName: string, where: () => string): MetricState {
    const metric = this.metrics.get(metricName);
    if (!metric) {
      throw new SampleError(
        `${where()}: a Point of metric ${JSON.stringify(metricName)} comes before its Metric line; expected k6 --out json output`,
      );
    }
    return metric;
  }

  private point(
    metric: MetricState,
    time: unknown,
    value: unknown,
    tags: Record<string, string> | null | undefined,
    fileIndex: number,
    span: { first: number; last: number },
    where: () => string,
  ): void {
    const metricName = metric.name;
    if (typeof value !== 'number') {
      throw new SampleError(`${where()}: Point of ${metricName} has value ${JSON.stringify(value)}; expected a number`);
    }
    const at = this.parseTime(time);
    if (!(at >= this.firstTime)) this.firstTime = Number.isNaN(this.firstTime) ? at : Math.min(this.firstTime, at);
    if (at < span.first) span.first = at;
    if (at > span.last) span.last = at;
    this.samples++;
    this.record(metric.main, metric.type, value, at, fileIndex);
    if (tags) {
      if (this.breakdown !== undefined && EndpointBreakdown.wants(metricName)) this.breakdown.point(metricName, value, at, tags);
      for (const sub of metric.submetrics) {
        let match = true;
        for (const [k, v] of sub.tags!) {
          if (tags[k] !== v) {
            match = false;
            break;
          }
        }
        if (match) this.record(sub, metric.type, value, at, fileIndex);
      }
      if (metricName === 'checks' && typeof tags.check === 'string') {
        const group = tags.group ?? '';
        const key = `${group}\u0000${tags.check}`;
        let check = this.checks.get(key);
        if (!check) {
          check = { name: tags.check, path: `${group}::${tags.check}`, passes: 0, fails: 0 };
          this.checks.set(key, check);
        }
        if (value !== 0) check.passes++;
        else check.fails++;
      }
    }
    if (this.samples % 100_000 === 0) this.input.onProgress?.(this.samples);
  }

  /** First sample time (ms since the epoch) over every point seen; NaN before the first. */
  firstTime = NaN;

  /**
   * Takes one line of k6's `--out json` output. `span` collects this file's first and last sample
   * time; `where` names the line in messages.
   */
  line(line: string, fileIndex: number, span: { first: number; last: number }, where: () => string): void {
    const fast = readPointFast(line);
    if (fast) {
      const metric = this.metricOf(fast.metric, where);
      let tags: Record<string, string> | undefined;
      if (this.needsTags(metric)) {
        // k6 repeats a handful of tag sets (one per endpoint and status) millions of times: parse each once.
        tags = this.tagSets.get(fast.tagsText);
        if (!tags) {
          try {
            tags = JSON.parse(fast.tagsText) as Record<string, string>;
          } catch {
            throw new SampleError(`${where()}: the tags of this Point are not JSON: ${JSON.stringify(fast.tagsText.slice(0, 120))}`);
          }
          // Bounded: a run with ever-new tag sets (IDs in URLs) starts the cache over instead of growing it.
          if (this.tagSets.size >= TAG_SET_CACHE) this.tagSets.clear();
          this.tagSets.set(fast.tagsText, tags);
        }
      }
      this.point(metric, fast.time, fast.value, tags, fileIndex, span, where);
      return;
    }
    if (line.trim() === '') return;
    let entry: { type?: unknown; metric?: unknown; data?: unknown };
    try {
      entry = JSON.parse(line);
    } catch {
      throw new SampleError(
        `${where()} is not JSON: ${JSON.stringify(line.slice(0, 120))}; expected k6 --out json lines (was the file cut short?)`,
      );
    }
    const data = (entry.data ?? {}) as { time?: unknown; value?: unknown; tags?: Record<string, string> | null };
    if (entry.type === 'Point') {
      this.point(this.metricOf(String(entry.metric), where), data.time, data.value, data.tags ?? {}, fileIndex, span, where);
    } else if (entry.type === 'Metric') {
      this.define(data as Record<string, unknown>, where());
    } else {
      throw new SampleError(`${where()} has type ${JSON.stringify(entry.type)}; expected "Metric" or "Point" lines of k6 --out json`);
    }
  }

  /**
   * One trend series of k6's remote-write output (src/samples/remote-write.ts), summed over the run:
   * its tags and bucketed distribution, into the metric and every submetric whose tags it matches.
   */
  trendSeries(name: string, contains: MetricContains, tags: Record<string, string>, distribution: BucketedDistribution): void {
    this.define({ name, type: 'trend', contains }, 'k6 remote write');
    const metric = this.metrics.get(name)!;
    this.samples += distribution.count;
    const into = (series: Series) => {
      series.samples += distribution.count;
      series.sum += distribution.sum;
      series.nonZero += distribution.count - distribution.zeros;
      series.trend!.addBuckets(distribution);
    };
    into(metric.main);
    for (const sub of metric.submetrics) if (sub.tags!.every(([k, v]) => tags[k] === v)) into(sub);
  }

  /** The trend statistics of a metric or submetric (`http_req_duration{name:login}`), if it has samples. */
  trend(name: string): TrendAccumulator | undefined {
    const s = this.series(name);
    return s?.trend;
  }

  /** Passes (non-zero samples) and fails of a rate metric or submetric, if it has samples. */
  rate(name: string): { passes: number; fails: number } | undefined {
    const s = this.series(name);
    const metric = this.metrics.get(parseSubmetricName(name)?.parent ?? name);
    if (!s || metric?.type !== 'rate') return undefined;
    return { passes: s.nonZero, fails: s.samples - s.nonZero };
  }

  series(name: string): Series | undefined {
    const parsed = parseSubmetricName(name);
    const metric = this.metrics.get(parsed?.parent ?? name);
    if (!metric) return undefined;
    const s = parsed ? metric.submetrics.find((sub) => tagKey(sub.tags!) === tagKey(parsed.tags)) : metric.main;
    return s && s.samples > 0 ? s : undefined;
  }

  private record(series: Series, type: MetricType, value: number, time: number, fileIndex: number): void {
    series.samples++;
    series.sum += value;
    if (value !== 0) series.nonZero++;
    if (type === 'trend') {
      series.trend!.add(value);
    } else if (type === 'gauge') {
      const state = series.gauges!.get(fileIndex);
      if (!state) {
        series.gauges!.set(fileIndex, { last: value, lastTime: time, min: value, max: value });
      } else {
        if (!(time < state.lastTime)) {
          state.last = value;
          state.lastTime = time;
        }
        if (value < state.min) state.min = value;
        if (value > state.max) state.max = value;
      }
    }
  }
}
