// Merge mode: rebuilds the end-of-test summary of a whole sharded test from the raw samples every
// shard wrote with `--out json=….json.gz`, and re-evaluates the script's thresholds on it.
//
// The files are streamed line by line through gunzip; nothing holds a whole file, and the state
// kept per metric is bounded (see histogram.ts), so memory does not grow with the number of samples.
//
// Choices a reader of the merged numbers should know (docs/scale-out.md repeats them):
// - Test duration = the longest span from first to last sample time within one shard file. Shards
//   run the same schedule, so each one spans the test; CI jobs start seconds apart, so the span
//   across shards would include that skew and understate rates. k6's own duration also counts the
//   moments before the first and after the last sample, so merged rates read slightly higher
//   (a few ms over the whole test).
// - Counter `rate` = count / duration; rate metrics: passes / (passes + fails), exact.
// - Trends: count, avg, min, max exact; percentiles exact up to DEFAULT_EXACT_LIMIT samples per
//   series, then within ±relativeError (0.1%) of a true sample value — k6's interpolation rule.
// - Gauges: min and max over all points, value = the last point in time. Exception: `vus` and
//   `vus_max` count per instance, so the whole test's value, min and max are the sums over shards.
// - Thresholds come from the Metric lines of the raw files (`data.thresholds`), from the shards'
//   summary exports (k6 leaves submetric thresholds such as `http_req_duration{name:login}` out of
//   the Metric lines) and from the caller.
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { CheckResult, MetricContains, MetricSummary, MetricType, RunSummary, ThresholdResult } from '../model.js';
import type { Logger } from '../log.js';
import { TrendAccumulator, DEFAULT_RELATIVE_ERROR } from './histogram.js';
import { evaluateThreshold, parseThresholdExpression, thresholdExpressions, type ThresholdsOption } from './thresholds.js';

export class MergeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MergeError';
  }
}

/** k6's default summary trend stats plus p(99), which baselines commonly watch. */
export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** Gauges that count per k6 instance; the whole test has the sum over shards. */
const PER_INSTANCE_GAUGES = new Set(['vus', 'vus_max']);

export interface MergeInput {
  /** Raw sample files (`.json` or `.json.gz`) of all shards. */
  files: string[];
  /** The script's `options.thresholds`, when known; merged with what the files carry. */
  thresholds?: ThresholdsOption;
  /** The shards' `--summary-export` files, read only for their threshold expressions. */
  summaryFiles?: string[];
  /** Trend stats to report, in `--summary-trend-stats` spelling; default DEFAULT_TREND_STATS. */
  trendStats?: string[];
  /** Extra submetrics to compute, e.g. `http_req_duration{name:login}` watched by baseline rules. */
  submetrics?: string[];
  log?: Logger;
  /** Samples kept exactly per trend series before the histogram takes over. */
  exactLimit?: number;
  /** Relative precision of percentiles in histogram mode. */
  relativeError?: number;
  /** Called every 100,000 samples and once at the end, while the merge state is alive. */
  onProgress?: (samples: number) => void;
}

export interface MergeResult {
  summary: RunSummary;
  /** Point lines read across all files. */
  samples: number;
  /** Test duration used for rates (see the header of this module). */
  durationMs: number;
  /** `exact` when every percentile is exact; `bounded` when some came from the histogram. */
  percentiles: 'exact' | 'bounded';
  /** The bound in `bounded` mode (0.001 = ±0.1%). */
  relativeError: number;
  /** Every trend series (metric or submetric name → its samples), for sampling intervals. */
  trends: Map<string, TrendAccumulator>;
}

interface GaugeState {
  last: number;
  lastTime: number;
  min: number;
  max: number;
}

interface Series {
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

interface MetricState {
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
    throw new MergeError(`submetric ${JSON.stringify(name)} has no closing "}"; expected e.g. "http_req_duration{name:login}"`);
  }
  const parent = name.slice(0, open).trim();
  const tags: [string, string][] = [];
  for (const part of name.slice(open + 1, -1).split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) {
      throw new MergeError(
        `submetric ${JSON.stringify(name)}: ${JSON.stringify(part)} is not tag:value; expected e.g. "http_req_duration{name:login}"`,
      );
    }
    const unquote = (s: string) => s.trim().replace(/^["'`]|["'`]$/g, '');
    tags.push([unquote(part.slice(0, colon)), unquote(part.slice(colon + 1))]);
  }
  return { parent, tags };
}

function tagKey(tags: [string, string][]): string {
  return tags
    .map(([k, v]) => `${k}\u0000${v}`)
    .sort()
    .join('\u0001');
}

const METRIC_TYPES = new Set<MetricType>(['trend', 'rate', 'counter', 'gauge']);

/**
 * Calls `onLine` for every line of a plain or gzip file, streaming. Lines are handed over
 * synchronously per chunk: an async generator would cost a promise per line, which at millions of
 * lines is most of the time. A read or gunzip failure rejects.
 */
async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  const source = createReadStream(file, { highWaterMark: 1 << 16 });
  let stream: Readable = source;
  if (file.endsWith('.gz')) {
    const gunzip = createGunzip({ chunkSize: 1 << 16 });
    source.on('error', (error) => gunzip.destroy(error));
    stream = source.pipe(gunzip);
  }
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      onLine(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') onLine(rest);
}

interface FastPoint {
  metric: string;
  time: string;
  value: number;
  /** The tags object's JSON text, parsed only for metrics that need tags. */
  tagsText: string;
}

const POINT_HEAD = '{"metric":"';
const POINT_TYPE = '","type":"Point","data":{"time":"';
const POINT_VALUE = '","value":';
const POINT_TAGS = ',"tags":';

/**
 * Reads a Point line in the exact layout k6 writes (`{"metric":…,"type":"Point","data":{"time":…,
 * "value":…,"tags":{…}}}`) without building objects for it; any other layout returns undefined and
 * goes through JSON.parse. Metric names and RFC 3339 times hold no quotes or escapes.
 */
function readPointFast(line: string): FastPoint | undefined {
  if (!line.startsWith(POINT_HEAD) || !line.endsWith('}}')) return undefined;
  const nameEnd = line.indexOf('"', POINT_HEAD.length);
  if (nameEnd === -1 || !line.startsWith(POINT_TYPE, nameEnd)) return undefined;
  const timeStart = nameEnd + POINT_TYPE.length;
  const timeEnd = line.indexOf('"', timeStart);
  if (timeEnd === -1 || !line.startsWith(POINT_VALUE, timeEnd)) return undefined;
  const valueStart = timeEnd + POINT_VALUE.length;
  const valueEnd = line.indexOf(POINT_TAGS, valueStart);
  if (valueEnd === -1) return undefined;
  const valueText = line.slice(valueStart, valueEnd);
  const value = Number(valueText);
  if (valueText === '' || !Number.isFinite(value)) return undefined;
  return {
    metric: line.slice(POINT_HEAD.length, nameEnd),
    time: line.slice(timeStart, timeEnd),
    value,
    tagsText: line.slice(valueEnd + POINT_TAGS.length, line.length - 2),
  };
}

class Merger {
  readonly metrics = new Map<string, MetricState>();
  /** Submetrics wanted before their parent is defined: parent → name → tags. */
  private readonly pending = new Map<string, Map<string, [string, string][]>>();
  readonly thresholds = new Map<string, string[]>();
  readonly checks = new Map<string, CheckResult>();
  samples = 0;
  longestSpanMs = 0;
  private lastTimeText = '';
  private lastTime = NaN;

  constructor(private readonly input: MergeInput) {}

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
      throw new MergeError(
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
      throw new MergeError(
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
  needsTags(metricName: string): boolean {
    const metric = this.metrics.get(metricName);
    return metricName === 'checks' || (metric !== undefined && metric.submetrics.length > 0);
  }

  point(
    metricName: string,
    time: unknown,
    value: unknown,
    tags: Record<string, string> | null | undefined,
    fileIndex: number,
    span: { first: number; last: number },
    where: string,
  ): void {
    const metric = this.metrics.get(metricName);
    if (!metric) {
      throw new MergeError(
        `${where}: a Point of metric ${JSON.stringify(metricName)} comes before its Metric line; expected k6 --out json output`,
      );
    }
    if (typeof value !== 'number') {
      throw new MergeError(`${where}: Point of ${metricName} has value ${JSON.stringify(value)}; expected a number`);
    }
    const at = this.parseTime(time);
    if (at < span.first) span.first = at;
    if (at > span.last) span.last = at;
    this.samples++;
    this.record(metric.main, metric.type, value, at, fileIndex);
    if (tags) {
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

function gaugeValues(metric: string, gauges: Map<number, GaugeState>): Record<string, number> {
  const states = [...gauges.values()];
  if (PER_INSTANCE_GAUGES.has(metric)) {
    return {
      value: states.reduce((s, g) => s + g.last, 0),
      min: states.reduce((s, g) => s + g.min, 0),
      max: states.reduce((s, g) => s + g.max, 0),
    };
  }
  const latest = states.reduce((a, b) => (b.lastTime > a.lastTime ? b : a));
  return { value: latest.last, min: Math.min(...states.map((g) => g.min)), max: Math.max(...states.map((g) => g.max)) };
}

function trendStat(trend: TrendAccumulator, stat: string): number | undefined {
  switch (stat) {
    case 'avg':
      return trend.avg;
    case 'min':
      return trend.min;
    case 'max':
      return trend.max;
    case 'med':
      return trend.percentile(50);
    case 'count':
      return trend.count;
    default: {
      const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
      return match ? trend.percentile(Number(match[1])) : undefined;
    }
  }
}

function validateTrendStats(stats: string[]): void {
  for (const stat of stats) {
    if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat)) {
      throw new MergeError(
        `trend stat ${JSON.stringify(stat)} is not supported; expected avg, min, med, max, count or p(N) as in --summary-trend-stats`,
      );
    }
  }
}

/** Threshold keys of a legacy `--summary-export` file (the expressions, not k6's verdicts). */
async function thresholdsOfSummary(file: string): Promise<Record<string, string[]>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MergeError(`shard summary ${file} could not be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const out: Record<string, string[]> = {};
  const metrics = (data as { metrics?: Record<string, { thresholds?: Record<string, unknown> }> })?.metrics;
  if (!metrics || typeof metrics !== 'object') return out;
  for (const [name, metric] of Object.entries(metrics)) {
    if (metric?.thresholds && typeof metric.thresholds === 'object') out[name] = Object.keys(metric.thresholds);
  }
  return out;
}

/** Merges the raw samples of all shards into the summary of the whole test. */
export async function mergeShardResults(input: MergeInput): Promise<MergeResult> {
  if (input.files.length === 0) {
    throw new MergeError('no shard result files to merge; expected one raw sample file (--out json=….json.gz) per shard');
  }
  const trendStats = input.trendStats ?? DEFAULT_TREND_STATS;
  validateTrendStats(trendStats);
  const started = Date.now();
  const merger = new Merger(input);
  for (const [metric, entries] of Object.entries(input.thresholds ?? {})) {
    for (const expression of thresholdExpressions(metric, entries)) merger.addThreshold(metric, expression);
  }
  for (const file of input.summaryFiles ?? []) {
    for (const [metric, expressions] of Object.entries(await thresholdsOfSummary(file))) {
      for (const expression of expressions) merger.addThreshold(metric, expression);
    }
  }
  for (const name of input.submetrics ?? []) merger.wantSubmetric(name);

  for (const [fileIndex, file] of input.files.entries()) {
    const span = { first: Infinity, last: -Infinity };
    let lineNumber = 0;
    const where = () => `${file}:${lineNumber}`;
    const onLine = (line: string) => {
      lineNumber++;
      const fast = readPointFast(line);
      if (fast) {
        let tags: Record<string, string> | undefined;
        if (merger.needsTags(fast.metric)) {
          try {
            tags = JSON.parse(fast.tagsText);
          } catch {
            throw new MergeError(`${where()}: the tags of this Point are not JSON: ${JSON.stringify(fast.tagsText.slice(0, 120))}`);
          }
        }
        merger.point(fast.metric, fast.time, fast.value, tags, fileIndex, span, where());
        return;
      }
      if (line.trim() === '') return;
      let entry: { type?: unknown; metric?: unknown; data?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        throw new MergeError(
          `${where()} is not JSON: ${JSON.stringify(line.slice(0, 120))}; expected k6 --out json lines (was the file cut short?)`,
        );
      }
      const data = (entry.data ?? {}) as { time?: unknown; value?: unknown; tags?: Record<string, string> | null };
      if (entry.type === 'Point') {
        merger.point(String(entry.metric), data.time, data.value, data.tags ?? {}, fileIndex, span, where());
      } else if (entry.type === 'Metric') {
        merger.define(data as Record<string, unknown>, where());
      } else {
        throw new MergeError(`${where()} has type ${JSON.stringify(entry.type)}; expected "Metric" or "Point" lines of k6 --out json`);
      }
    };
    try {
      await forEachLine(file, onLine);
    } catch (error) {
      if (error instanceof MergeError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'Z_BUF_ERROR' || /unexpected end/i.test((error as Error).message)
          ? ' (the gzip stream ends early: did k6 stop before closing the file?)'
          : '';
      throw new MergeError(`could not read ${file} after line ${lineNumber}: ${(error as Error).message}${why}`, { cause: error });
    }
    if (span.last >= span.first) merger.longestSpanMs = Math.max(merger.longestSpanMs, span.last - span.first);
    input.log?.debug(`merged ${file}: ${lineNumber} lines`);
  }
  input.onProgress?.(merger.samples);
  if (merger.samples === 0) {
    throw new MergeError(
      `the ${input.files.length} shard file(s) hold no samples: ${input.files.join(', ')}; did the shards run k6 with --out json?`,
    );
  }

  const durationMs = merger.longestSpanMs;
  const seconds = durationMs / 1000;
  const metrics: Record<string, MetricSummary> = {};
  const types = new Map<string, MetricType>();
  const series = new Map<string, Series>();
  const trends = new Map<string, TrendAccumulator>();
  let bounded = false;
  for (const metric of merger.metrics.values()) {
    for (const s of [metric.main, ...metric.submetrics]) {
      if (s.samples === 0) continue;
      types.set(s.name, metric.type);
      series.set(s.name, s);
      let values: Record<string, number>;
      if (metric.type === 'trend') {
        values = {};
        for (const stat of trendStats) values[stat] = trendStat(s.trend!, stat)!;
        if (!s.trend!.isExact) bounded = true;
        trends.set(s.name, s.trend!);
      } else if (metric.type === 'counter') {
        values = { count: s.sum, rate: seconds > 0 ? s.sum / seconds : 0 };
      } else if (metric.type === 'rate') {
        values = { rate: s.nonZero / s.samples, passes: s.nonZero, fails: s.samples - s.nonZero };
      } else {
        values = gaugeValues(metric.name, s.gauges!);
      }
      metrics[s.name] = { name: s.name, type: metric.type, contains: metric.contains, values };
    }
  }

  const thresholds: ThresholdResult[] = [];
  for (const [metric, expressions] of merger.thresholds) {
    for (const text of expressions) {
      const expression = parseThresholdExpression(text);
      const s = series.get(metric);
      const type = types.get(metric);
      thresholds.push(
        evaluateThreshold(metric, expression, type, (aggregation, percentile) => {
          // Read from the series, not the reported values: a threshold may use a stat trendStats leaves out.
          if (aggregation === 'p') return s!.trend!.percentile(percentile!);
          if (s!.trend) return trendStat(s!.trend, aggregation) ?? NaN;
          return metrics[metric].values[aggregation] ?? NaN;
        }),
      );
    }
  }

  const summary: RunSummary = {
    format: 'legacy',
    metrics,
    thresholds,
    checks: [...merger.checks.values()],
    durationMs,
  };
  const elapsed = Date.now() - started;
  input.log?.info(
    `merged ${merger.samples.toLocaleString('en')} samples from ${input.files.length} shard file(s) in ${(elapsed / 1000).toFixed(1)} s; test duration ${(durationMs / 1000).toFixed(1)} s; ` +
      (bounded ? `percentiles within ±${(input.relativeError ?? DEFAULT_RELATIVE_ERROR) * 100}% (histogram)` : 'percentiles exact'),
  );
  return {
    summary,
    samples: merger.samples,
    durationMs,
    percentiles: bounded ? 'bounded' : 'exact',
    relativeError: input.relativeError ?? DEFAULT_RELATIVE_ERROR,
    trends,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  } catch (error) {
    throw new MergeError(
      `cannot read the shard results folder ${dir}: ${(error as Error).message}; expected the folder the shard artifacts were downloaded into`,
      {
        cause: error,
      },
    );
  }
}

function byShardOrder(a: string, b: string): number {
  return path.basename(a).localeCompare(path.basename(b), 'en', { numeric: true }) || a.localeCompare(b);
}

/**
 * Checks that numbered shard files (`.shard-<i>-of-<N>`) form one complete set: a missing shard
 * would gate on part of the load, a duplicate would count it twice.
 */
function checkComplete(files: string[], what: string): void {
  const seen = new Map<number, string>();
  let total: number | undefined;
  for (const file of files) {
    const match = /\.shard-(\d+)-of-(\d+)\./.exec(path.basename(file));
    if (!match) continue;
    const [index, count] = [Number(match[1]), Number(match[2])];
    if (total !== undefined && total !== count) {
      throw new MergeError(`${what}: ${file} is a shard of ${count} but others are of ${total}; expected the files of one run only`);
    }
    total = count;
    if (seen.has(index))
      throw new MergeError(
        `${what}: shard ${index} of ${count} appears twice (${seen.get(index)} and ${file}); expected one file per shard`,
      );
    seen.set(index, file);
  }
  if (total !== undefined) {
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0) {
      throw new MergeError(
        `${what}: shard(s) ${missing.join(', ')} of ${total} missing; found ${[...seen.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`,
      );
    }
  }
}

/**
 * The raw sample files of one scenario's shards under `dir` (searched recursively, so artifacts
 * downloaded into one folder each work too): `k6-<scenario>.shard-*.json[.gz]`.
 */
export async function findShardFiles(dir: string, scenario: string): Promise<string[]> {
  const pattern = new RegExp(`^k6-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json(\\.gz)?$`);
  const all = await listFiles(dir);
  const files = all.filter((f) => pattern.test(path.basename(f))).sort(byShardOrder);
  if (files.length === 0) {
    const seen = all.slice(0, 8).map((f) => path.relative(dir, f));
    throw new MergeError(
      `no shard files of scenario ${JSON.stringify(scenario)} in ${dir}; expected k6-${scenario}.shard-<i>-of-<N>.json.gz (found ${seen.length ? seen.join(', ') + (all.length > 8 ? ', …' : '') : 'nothing'})`,
    );
  }
  checkComplete(files, `shard files of ${scenario} in ${dir}`);
  return files;
}

/** The shards' summary exports (`summary-<scenario>.shard-*.json`), for threshold expressions; may be none. */
export async function findShardSummaryFiles(dir: string, scenario: string): Promise<string[]> {
  const pattern = new RegExp(`^summary-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json$`);
  return (await listFiles(dir)).filter((f) => pattern.test(path.basename(f))).sort(byShardOrder);
}

/** Finds a scenario's shard files under `dir` and merges them: what `k6-gate merge --from DIR` does. */
export async function mergeShardDir(
  input: { dir: string; scenario: string } & Omit<MergeInput, 'files' | 'summaryFiles'>,
): Promise<MergeResult> {
  const { dir, scenario, ...rest } = input;
  const files = await findShardFiles(dir, scenario);
  const summaryFiles = await findShardSummaryFiles(dir, scenario);
  input.log?.info(
    `merging ${files.length} shard file(s) of ${scenario} from ${dir}${summaryFiles.length ? ` (+ ${summaryFiles.length} shard summaries for thresholds)` : ''}`,
  );
  return mergeShardResults({ ...rest, files, summaryFiles });
}

/**
 * The merged summary in k6's legacy `--summary-export` layout, so every reader of
 * `summary-<scenario>.json` (GitLab's load_performance report, baseline tools, people) takes a
 * merged run like a single one. `state.testRunDurationMs` carries the duration used for rates.
 */
export function toLegacySummaryExport(summary: RunSummary): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, metric] of Object.entries(summary.metrics)) {
    const values: Record<string, unknown> = { ...metric.values };
    if (metric.type === 'rate') {
      // The legacy export calls a rate's `rate` `value`.
      values.value = values.rate;
      delete values.rate;
    }
    metrics[name] = values;
  }
  for (const threshold of summary.thresholds) {
    const target = (metrics[threshold.metric] ??= {});
    // In the legacy export `true` means the threshold was crossed.
    ((target.thresholds ??= {}) as Record<string, boolean>)[threshold.expression] = !threshold.ok;
  }
  const checks: Record<string, unknown> = {};
  for (const check of summary.checks) {
    checks[check.path ?? `::${check.name}`] = {
      name: check.name,
      path: check.path ?? `::${check.name}`,
      id: '',
      passes: check.passes,
      fails: check.fails,
    };
  }
  return {
    root_group: { name: '', path: '', id: '', groups: {}, checks },
    metrics,
    state: { testRunDurationMs: summary.durationMs },
  };
}

/**
 * Merge mode for one scenario of the pipeline: merges the shard files of `scenario` under `dir`,
 * computing the submetrics the watch rules name, and writes the merged summary as
 * `summary-<scenario>.json` (legacy export layout) into `resultsDir`.
 */
export async function mergeScenarioShards(input: {
  dir: string;
  /** The scenario's file-name form (as in `k6-<scenario>.shard-…`). */
  scenario: string;
  resultsDir: string;
  summaryFile: string;
  /** Metric names watched by the rules or present in the baseline; submetrics among them are computed. */
  watch?: string[];
  trendStats?: string[];
  log?: Logger;
}): Promise<MergeResult & { summaryFile: string }> {
  const merged = await mergeShardDir({
    dir: input.dir,
    scenario: input.scenario,
    trendStats: input.trendStats,
    submetrics: (input.watch ?? []).filter((name) => name.includes('{')),
    log: input.log,
  });
  await writeFile(path.join(input.resultsDir, input.summaryFile), `${JSON.stringify(toLegacySummaryExport(merged.summary), null, 2)}\n`);
  return { ...merged, summaryFile: input.summaryFile };
}
