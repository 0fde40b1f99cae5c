// Live sample analysis from k6's own Prometheus remote-write output: k6 aggregates every sample into
// native histograms and counters per tag set in its own process and pushes them once a second to a
// receiver k6-gate runs on loopback. Design and measurements: docs/adr/0004-remote-write-analysis.md.
//
// Why not read `--out json`: serialising every sample costs k6 about half of its top request rate
// on two cores; the remote-write output costs it a few per cent (bench:analysis). The price is
// precision: k6's native histograms grow by ×1.09 per bucket (schema 3), so a percentile read from
// them is interpolated inside a bucket, while count, sum and avg stay exact.
//
// Memory is bounded by the number of tag sets (series), never by the run length: the receiver
// keeps the latest cumulative state of each series (k6 sends totals since the start, and only the
// series that changed since its last push), at most `maxSeries` of them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { CheckResult, MetricContains } from '../model.js';
import { decodeRemoteWriteBody, type DecodedSeries, type NativeHistogram } from '../observability/remote-write.js';
import { SampleAggregator, tagKey, type AggregatorOptions } from './aggregator.js';
import type { BucketedDistribution } from './histogram.js';
import type { RunSamples } from './live.js';

/** How often k6 pushes: the resolution of an error kind's first-seen time. */
const REMOTE_WRITE_PUSH_INTERVAL_MS = 1000;
/** Series kept before new ones are counted and dropped (k6 holds the same series itself). */
const DEFAULT_MAX_SERIES = 50_000;
/** A push larger than this is refused (k6's pushes of a few thousand series are a few hundred KiB). */
const MAX_BODY_BYTES = 256 * 2 ** 20;

export interface RemoteWriteAnalysisOptions {
  /** Metric or submetric names the noise bands and rules read (`http_req_duration{name:login}`). */
  watched?: string[];
  log?: Logger;
  maxSeries?: number;
  aggregator?: Omit<AggregatorOptions, 'log'>;
  /** Also keeps per-side, per-window differences of the pushes (duet verdicts: samples/windows.ts `DuetWindows`). */
  windows?: { accept(series: readonly DecodedSeries[], receivedAt: number): void };
}

export interface RemoteWriteAnalysis {
  /** Where k6 pushes: `http://127.0.0.1:<port>/api/v1/write`. */
  readonly url: string;
  /**
   * Stops the receiver (call after k6 exited: k6 pushes its final totals before it exits) and
   * returns the run's samples. Failed checks come later from k6's summary (addSummaryChecks).
   */
  stop(): Promise<RunSamples>;
  /** The latest cumulative state of every series kept (after stop: the run's totals), for shard state files. */
  series(): readonly ReceivedSeries[];
}

/** One series as the receiver holds it: the newest cumulative histogram or value k6 pushed. */
export interface ReceivedSeries {
  labels: Record<string, string>;
  histogram?: NativeHistogram;
  value?: number;
}

interface SeriesState extends ReceivedSeries {
  /** When k6 first pushed this series: its first sample happened within the push interval before. */
  firstAt: number;
}

/** `k6_http_req_duration_seconds` → k6's metric name, what it contains, and the factor back to k6's unit. */
export function k6MetricOfSeries(
  promName: string,
  isHistogram: boolean,
): { name: string; kind: 'trend' | 'counter' | 'rate' | 'gauge'; contains: MetricContains; scale: number } | undefined {
  if (!promName.startsWith('k6_')) return undefined;
  const base = promName.slice(3);
  if (isHistogram) {
    // Prometheus base units: k6 sends time in seconds (its own unit is ms) and data in bytes.
    if (base.endsWith('_seconds')) return { name: base.slice(0, -8), kind: 'trend', contains: 'time', scale: 1000 };
    if (base.endsWith('_bytes')) return { name: base.slice(0, -6), kind: 'trend', contains: 'data', scale: 1 };
    return { name: base, kind: 'trend', contains: 'default', scale: 1 };
  }
  if (base.endsWith('_total')) return { name: base.slice(0, -6), kind: 'counter', contains: 'default', scale: 1 };
  if (base.endsWith('_rate')) return { name: base.slice(0, -5), kind: 'rate', contains: 'default', scale: 1 };
  return { name: base, kind: 'gauge', contains: 'default', scale: 1 };
}

/** A native histogram's buckets as value ranges in k6's unit (ms for time). */
export function nativeToDistribution(h: NativeHistogram, scale: number): BucketedDistribution {
  const base = Math.pow(2, Math.pow(2, -h.schema));
  const ranges: [number, number, number][] = [];
  for (const [index, count] of h.positive) {
    ranges.push([Math.pow(base, index - 1) * scale, Math.pow(base, index) * scale, count]);
  }
  // k6 records no negative durations or sizes; a custom trend may. Their buckets mirror the positive ones.
  for (const [index, count] of h.negative) {
    ranges.push([-Math.pow(base, index) * scale, -Math.pow(base, index - 1) * scale, count]);
  }
  return { count: h.count, sum: h.sum * scale, zeros: h.zeroCount, ranges };
}

const IGNORED_LABELS = new Set(['__name__', 'k6_feature_native_histograms']);

/** A series' k6 tags: its labels without the metric name and k6's feature label. */
export function tagsOf(labels: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!IGNORED_LABELS.has(k)) tags[k] = v;
  return tags;
}

/** A series' identity: its labels (name included), in any order. */
function seriesKey(labels: Record<string, string>): string {
  return tagKey(Object.entries(labels));
}

/** Starts the loopback receiver; point k6's `experimental-prometheus-rw` output at `url`. */
export async function startRemoteWriteAnalysis(options: RemoteWriteAnalysisOptions = {}): Promise<RemoteWriteAnalysis> {
  const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
  const series = new Map<string, SeriesState>();
  let bytes = 0;
  let pushes = 0;
  const dropped = new Set<string>();
  let problem: string | undefined;
  let firstPushAt = NaN;
  const startedAt = Date.now();

  const accept = (decoded: DecodedSeries[], receivedAt: number) => {
    options.windows?.accept(decoded, receivedAt);
    keepNewest(series, decoded, receivedAt, { maxSeries, dropped });
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    receiveBody(req, (body, size) => {
      bytes += size;
      if (!body) {
        problem ??= `k6 pushed ${size} bytes at once; more than the ${MAX_BODY_BYTES / 2 ** 20} MiB k6-gate accepts`;
        res.writeHead(413).end();
        return;
      }
      const receivedAt = Date.now();
      try {
        accept(decodeRemoteWriteBody(body), receivedAt);
        pushes++;
        if (Number.isNaN(firstPushAt)) firstPushAt = receivedAt;
        res.writeHead(204).end();
      } catch (error) {
        if (!problem) {
          problem = `a remote-write push from k6 could not be read: ${(error as Error).message}`;
          options.log?.warning(`live analysis: ${problem}`);
        }
        // 400: k6 does not retry a bad request, so one bad push cannot stall it.
        res.writeHead(400).end();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    series: () => [...series.values()],
    async stop(): Promise<RunSamples> {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return samplesOf([...series.values()], {
        ...options,
        firstAt: Number.isNaN(firstPushAt) ? startedAt : Math.max(startedAt, firstPushAt - REMOTE_WRITE_PUSH_INTERVAL_MS),
        bytes,
        dropped: dropped.size,
        problem: problem ?? (pushes === 0 ? 'k6 pushed no metrics to the live-analysis receiver' : undefined),
      });
    },
  };
}

/** A push into the per-series state: totals since the start, so the newest push wins; past `maxSeries` a new series is only counted. */
function keepNewest(
  series: Map<string, SeriesState>,
  decoded: readonly DecodedSeries[],
  receivedAt: number,
  limit: { maxSeries: number; dropped: Set<string> },
): void {
  for (const s of decoded) {
    const key = seriesKey(s.labels);
    let state = series.get(key);
    if (!state) {
      if (series.size >= limit.maxSeries) {
        if (limit.dropped.size < limit.maxSeries) limit.dropped.add(key);
        continue;
      }
      state = { labels: s.labels, firstAt: receivedAt };
      series.set(key, state);
    }
    const h = s.histograms.at(-1);
    if (h) state.histogram = h;
    // NaN: Prometheus' stale marker (k6 ends a series with one); the series keeps its last number.
    const sample = s.samples.filter((x) => !Number.isNaN(x.value)).at(-1);
    if (sample) state.value = sample.value;
  }
}

/** A push's body, or undefined when it is over MAX_BODY_BYTES (then only its size is counted). */
function receiveBody(req: http.IncomingMessage, done: (body: Buffer | undefined, size: number) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => done(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks), size));
}

/** The receiver's final per-series state → the one sample aggregator's view (pure). */
function samplesOf(
  all: readonly SeriesState[],
  context: RemoteWriteAnalysisOptions & {
    firstAt: number;
    bytes: number;
    dropped: number;
    problem?: string;
  },
): RunSamples {
  const aggregator = new SampleAggregator({ breakdown: true, ...context.aggregator, log: context.log });
  for (const name of context.watched ?? []) aggregator.wantSubmetric(name);
  aggregator.firstTime = context.firstAt;
  // http_req_failed's rate per tag set, for requests whose tags lack expected_response.
  const failedRate = new Map<string, number>();
  for (const s of all) {
    if (s.labels.__name__ === 'k6_http_req_failed_rate' && s.value !== undefined) failedRate.set(seriesKey(tagsOf(s.labels)), s.value);
  }
  for (const s of all) {
    const metric = k6MetricOfSeries(s.labels.__name__ ?? '', s.histogram !== undefined);
    if (!metric || metric.kind !== 'trend' || !s.histogram) continue;
    const tags = tagsOf(s.labels);
    const distribution = nativeToDistribution(s.histogram, metric.scale);
    aggregator.trendSeries(metric.name, metric.contains, tags, distribution);
    if (metric.name === 'http_req_duration' && aggregator.breakdown) {
      const rate = failedRate.get(seriesKey(tags));
      const failed =
        tags.expected_response !== undefined
          ? tags.expected_response === 'false'
            ? distribution.count
            : 0
          : Number.isFinite(rate)
            ? Math.round(rate! * distribution.count)
            : 0;
      aggregator.breakdown.requests(tags, distribution.count, failed, s.firstAt, (acc) => acc.addBuckets(distribution));
    }
  }
  let problem = context.problem;
  if (context.dropped > 0) {
    const note = `${context.dropped} time series past the first ${context.maxSeries ?? DEFAULT_MAX_SERIES} were not analysed (too many distinct tag sets: name requests with a \`name\` tag)`;
    problem = problem ? `${problem}; ${note}` : note;
    context.log?.warning(`live analysis: ${note}`);
  }
  return { aggregator, samples: aggregator.samples, badLines: 0, problem, bytes: context.bytes, source: 'remote-write' };
}

/**
 * Remote write sends a check's pass rate but not its counts, so the checks of a remote-write run
 * come from k6's summary (which has both); a JSON-file run counted them sample by sample already.
 */
export function addSummaryChecks(samples: RunSamples, checks: readonly CheckResult[]): void {
  if (samples.source !== 'remote-write') return;
  for (const check of checks) samples.aggregator.checks.set(check.path ?? check.name, { ...check });
}
