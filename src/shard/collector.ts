// The collector: one long-running receiver that N k6 processes (k6-operator runners, or any fleet)
// push to with k6's own `--out experimental-prometheus-rw`, kept apart per runner, until every
// runner has finished. What it keeps per runner is what the loopback receiver of one run keeps
// (samples/remote-write.ts): the newest cumulative state of each series, so memory grows with the
// number of series, never with the test's length, and is capped per runner.
//
// Who is who: every series a runner pushes carries the tags `instance_id` (1..N) and `testrun_name`
// (the run id). k6-operator adds both to every runner (`--tag instance_id=<i>`, `--tag
// testrun_name=<TestRun name>`) and gives runner i the execution segment (i-1)/N:i/N of the
// sequence 0,1/N,…,1; a fleet of plain k6 processes passes the same tags and segments itself.
//
// When a runner is done: k6 says so. With K6_PROMETHEUS_RW_STALE_MARKERS=true, k6's output makes a
// final push of every series when the test ends and then marks each series stale (Prometheus' stale
// NaN). That marker is the runner's "finished": silence is not, because a runner that crashed, was
// OOM-killed or lost its network is silent too, and gating its partial load as a finished share
// would pass a test for the wrong reason. A runner silent for `runnerTimeoutMs` without the marker
// is reported as stopped, not waited for; the overall deadline bounds the whole collection.
//
// This module is the fleet's bookkeeping (what each runner pushed, when it is done, the shard
// states for the merge); the HTTP endpoint the runners push to is collector-server.ts.
//
// A duplicated segment: two processes with one instance_id. They show as two values of the
// X-K6-Gate-Runner header (the manifests set it to the pod name), as a push after that runner's
// end-of-test marker, or as a cumulative total that goes backwards.
import { ExpectedError } from '../errors.js';
import { formatDuration } from '../format.js';
import type { Logger } from '../log.js';
import type { DecodedSeries } from '../observability/remote-write.js';
import type { ReceivedSeries } from '../samples/remote-write.js';
import { executionSegment, segmentSequence } from './shard.js';
import { shardStateOf, type ShardState } from './state.js';

/** The header a runner may send to name its process (k6: K6_PROMETHEUS_RW_HEADERS_X-K6-Gate-Runner). */
export const RUNNER_HEADER = 'x-k6-gate-runner';
/** Series one runner may hold; more are dropped and make the collection an error (its totals would be short). */
export const DEFAULT_MAX_SERIES_PER_RUNNER = 20_000;
/** Buckets one native histogram may hold: schema 3 spans 1 ns to 11 days in about 900 buckets. */
export const MAX_BUCKETS_PER_SERIES = 2_048;
/** Labels one series may carry, and the length of one label value. */
const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 1_024;
/** A push larger than this is refused (k6's pushes of a few thousand series are a few hundred KiB). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 2 ** 20;
/** Problems listed per runner at most; the rest are counted. */
const MAX_PROBLEMS = 5;

export interface CollectorOptions {
  /** The run id: the `testrun_name` tag every push must carry. */
  runId: string;
  /** Expected parallelism N: runners are instance_id 1..N. */
  runners: number;
  /** The Bearer token every push must carry. */
  token: string;
  /** A runner that pushed and is then silent this long, without k6's end-of-test marker, is stopped. */
  runnerTimeoutMs: number;
  /** The whole collection ends at this time (ms since the epoch) at the latest. */
  deadlineAt: number;
  maxSeriesPerRunner?: number;
  maxBodyBytes?: number;
  log: Logger;
}

export interface RunnerRecord {
  /** instance_id, 1..N. */
  instance: number;
  /** k6's execution segment for this instance: (i-1)/N:i/N. */
  segment: string;
  series: Map<string, ReceivedSeries>;
  firstPushAt?: number;
  lastPushAt?: number;
  /** When k6's end-of-test marker arrived. */
  finishedAt?: number;
  pushes: number;
  bytes: number;
  /** Values of the X-K6-Gate-Runner header seen (one per process). */
  processes: Set<string>;
  /** Series past the cap, not kept. */
  droppedSeries: number;
  /** Why this runner is taken as duplicated (two processes with its instance_id). */
  duplicated?: string;
}

/** Pushes the collector refused, by cause. */
export interface Refusals {
  /** 401: no or a wrong token; nothing of such a push is read. */
  unauthorized: number;
  /** 400: not a k6 remote-write push of this run. */
  garbage: number;
  /** 413: larger than the body limit. */
  tooLarge: number;
  /** The first causes, in words (no token ever appears in them). */
  reasons: string[];
}

export interface Collection {
  runId: string;
  runners: RunnerRecord[];
  /** Runners that never sent k6's end-of-test marker, each with why, by segment. */
  missing: { instance: number; segment: string; why: string }[];
  /** Runners pushed by more than one process. */
  duplicated: { instance: number; segment: string; why: string }[];
  /** Runners whose series went past the cap (their totals would be short). */
  overflowing: { instance: number; segment: string; dropped: number }[];
  refusals: Refusals;
  /** Why the collection ended: every runner finished, every runner finished or stopped, or the deadline. */
  ended: 'finished' | 'stopped' | 'deadline' | 'closed';
  startedAt: number;
  endedAt: number;
}

/** A push that is not a k6 remote-write push of this run (answered 400). */
export class GarbagePushError extends ExpectedError {}

/** `instance_id=2 (execution segment 1/4:2/4)`: how messages name a runner. */
export function describeRunner(runner: { instance: number; segment: string }): string {
  return `instance_id=${runner.instance} (execution segment ${runner.segment})`;
}

const seriesKey = (labels: Record<string, string>): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');

/**
 * The runners of one run and what they pushed; pure bookkeeping (the HTTP server below feeds it),
 * so every rule here is tested with plain data.
 */
export class RunnerFleet {
  readonly runners: RunnerRecord[];
  readonly refusals: Refusals = { unauthorized: 0, garbage: 0, tooLarge: 0, reasons: [] };
  private readonly maxSeries: number;
  private firstPushAt: number | undefined;

  constructor(
    readonly options: Pick<CollectorOptions, 'runId' | 'runners' | 'runnerTimeoutMs' | 'maxSeriesPerRunner'>,
    readonly startedAt: number,
  ) {
    this.maxSeries = options.maxSeriesPerRunner ?? DEFAULT_MAX_SERIES_PER_RUNNER;
    this.runners = Array.from({ length: options.runners }, (_, i) => ({
      instance: i + 1,
      segment: executionSegment({ index: i + 1, count: options.runners }),
      series: new Map(),
      pushes: 0,
      bytes: 0,
      processes: new Set(),
      droppedSeries: 0,
    }));
  }

  /** The sequence every runner's segment belongs to. */
  get sequence(): string {
    return segmentSequence(this.options.runners);
  }

  /** Notes a refused push and its cause (the first few causes are kept in words). */
  refuse(kind: 'unauthorized' | 'garbage' | 'tooLarge', reason: string): void {
    this.refusals[kind]++;
    if (this.refusals.reasons.length < MAX_PROBLEMS) this.refusals.reasons.push(reason);
  }

  /**
   * Takes one decoded push; throws GarbagePushError (nothing of it kept) when it is not a push of
   * this run's runners. Returns the runner it belonged to.
   */
  accept(decoded: readonly DecodedSeries[], receivedAt: number, bytes: number, processName?: string): RunnerRecord {
    const runner = this.runnerOf(decoded);
    this.checkShape(decoded, runner);
    if (processName !== undefined) {
      runner.processes.add(processName);
      if (runner.processes.size > 1 && !runner.duplicated)
        runner.duplicated = `pushed by ${runner.processes.size} k6 processes (${[...runner.processes].slice(0, 3).join(', ')})`;
    }
    if (runner.finishedAt !== undefined && !runner.duplicated) {
      runner.duplicated = `pushed again ${formatDuration(receivedAt - runner.finishedAt)} after its end-of-test marker`;
    }
    let ended = false;
    for (const s of decoded) {
      const key = seriesKey(s.labels);
      let kept = runner.series.get(key);
      if (!kept) {
        if (runner.series.size >= this.maxSeries) {
          runner.droppedSeries++;
          continue;
        }
        kept = { labels: s.labels };
        runner.series.set(key, kept);
      }
      const h = s.histograms.at(-1);
      if (h) {
        if (kept.histogram && h.count < kept.histogram.count && !runner.duplicated)
          runner.duplicated = `its total of ${s.labels.__name__} went back from ${kept.histogram.count} to ${h.count}`;
        kept.histogram = h;
      }
      for (const sample of s.samples) {
        if (sample.stale) {
          ended = true;
          continue;
        }
        if (kept.value !== undefined && s.labels.__name__?.endsWith('_total') && sample.value < kept.value && !runner.duplicated)
          runner.duplicated = `its total of ${s.labels.__name__} went back from ${kept.value} to ${sample.value}`;
        kept.value = sample.value;
      }
    }
    runner.pushes++;
    runner.bytes += bytes;
    runner.firstPushAt ??= receivedAt;
    runner.lastPushAt = receivedAt;
    this.firstPushAt ??= receivedAt;
    if (ended) runner.finishedAt ??= receivedAt;
    return runner;
  }

  /** The one runner a push belongs to, from its series' tags. */
  private runnerOf(decoded: readonly DecodedSeries[]): RunnerRecord {
    if (decoded.length === 0) throw new GarbagePushError('the push holds no time series');
    const ids = new Set<string>();
    const runs = new Set<string>();
    for (const s of decoded) {
      ids.add(s.labels.instance_id ?? '');
      runs.add(s.labels.testrun_name ?? '');
    }
    if (runs.size > 1 || ids.size > 1)
      throw new GarbagePushError(
        `one push mixes series of several runners or runs (instance_id ${[...ids].map((v) => JSON.stringify(v)).join(', ')}); expected one k6 process per push`,
      );
    const [run] = runs;
    if (run !== this.options.runId) {
      throw new GarbagePushError(
        run === ''
          ? `the series carry no testrun_name tag; expected k6 run with --tag testrun_name=${this.options.runId} (k6-operator adds it)`
          : `the series are of run ${JSON.stringify(run.slice(0, 64))}, not ${JSON.stringify(this.options.runId)}; expected only this run's runners to push here`,
      );
    }
    const [id] = ids;
    const n = this.options.runners;
    if (!/^[1-9]\d{0,5}$/.test(id) || Number(id) > n) {
      throw new GarbagePushError(
        id === ''
          ? `the series carry no instance_id tag; expected k6 run with --tag instance_id=<1..${n}> (k6-operator adds it)`
          : `instance_id ${JSON.stringify(id.slice(0, 64))} is not one of 1..${n}; expected the runners of a test with parallelism ${n}`,
      );
    }
    return this.runners[Number(id) - 1];
  }

  /** Bounds per series: a histogram with too many buckets or series with too many labels are garbage. */
  private checkShape(decoded: readonly DecodedSeries[], runner: RunnerRecord): void {
    for (const s of decoded) {
      const labels = Object.keys(s.labels);
      if (!s.labels.__name__) throw new GarbagePushError(`a series of ${describeRunner(runner)} has no __name__ label`);
      if (labels.length > MAX_LABELS || labels.some((k) => s.labels[k].length > MAX_LABEL_VALUE)) {
        throw new GarbagePushError(
          `series ${s.labels.__name__.slice(0, 64)} of ${describeRunner(runner)} carries more than ${MAX_LABELS} labels or a label longer than ${MAX_LABEL_VALUE} characters`,
        );
      }
      for (const h of s.histograms) {
        if (h.positive.size + h.negative.size > MAX_BUCKETS_PER_SERIES || !Number.isFinite(h.count) || h.count < 0) {
          throw new GarbagePushError(
            `series ${s.labels.__name__.slice(0, 64)} of ${describeRunner(runner)} is a histogram with ${h.positive.size + h.negative.size} buckets and count ${h.count}; expected k6's native histograms (at most ${MAX_BUCKETS_PER_SERIES} buckets)`,
          );
        }
      }
    }
  }

  /** Whether the collection is over at `now`, and why. */
  settled(now: number, deadlineAt: number): Collection['ended'] | undefined {
    if (this.runners.every((r) => r.finishedAt !== undefined)) return 'finished';
    if (now >= deadlineAt) return 'deadline';
    if (this.firstPushAt === undefined) return undefined;
    // Every runner finished or silent too long; one that never pushed counts from the fleet's first push.
    const silent = (r: RunnerRecord) => now - (r.lastPushAt ?? this.firstPushAt!) >= this.options.runnerTimeoutMs;
    if (this.runners.every((r) => r.finishedAt !== undefined || silent(r))) return 'stopped';
    return undefined;
  }

  /** The end of the collection: who finished, who is missing or duplicated. */
  conclude(ended: Collection['ended'], now: number): Collection {
    const missing: Collection['missing'] = [];
    const duplicated: Collection['duplicated'] = [];
    const overflowing: Collection['overflowing'] = [];
    for (const r of this.runners) {
      const { instance, segment } = r;
      if (r.duplicated) duplicated.push({ instance, segment, why: r.duplicated });
      if (r.droppedSeries > 0) overflowing.push({ instance, segment, dropped: r.droppedSeries });
      if (r.finishedAt !== undefined) continue;
      const why =
        r.lastPushAt === undefined
          ? 'never pushed'
          : `stopped pushing ${formatDuration(now - r.lastPushAt)} before the end without k6's end-of-test marker (did it crash, or is K6_PROMETHEUS_RW_STALE_MARKERS not true?)`;
      missing.push({ instance, segment, why });
    }
    return {
      runId: this.options.runId,
      runners: this.runners,
      missing,
      duplicated,
      overflowing,
      refusals: this.refusals,
      ended,
      startedAt: this.startedAt,
      endedAt: now,
    };
  }
}

/** Why a collection cannot be gated, in words naming the runners (empty: it can). */
export function collectionProblems(collection: Collection): string[] {
  const n = collection.runners.length;
  const problems: string[] = [];
  if (collection.missing.length > 0) {
    problems.push(
      `${collection.missing.length} of ${n} runners did not finish${collection.ended === 'deadline' ? ' by the deadline' : ''}: ` +
        collection.missing.map((m) => `${describeRunner(m)} ${m.why}`).join('; ') +
        '; the merged numbers would miss their share of the load',
    );
  }
  for (const d of collection.duplicated) {
    problems.push(`${describeRunner(d)} is duplicated: it ${d.why}; expected one k6 process per instance_id and segment`);
  }
  for (const o of collection.overflowing) {
    problems.push(
      `${describeRunner(o)} pushed more series than the collector keeps; ${o.dropped} were dropped, so its totals would be short (name requests with a \`name\` tag to keep the tag sets few)`,
    );
  }
  return problems;
}

/** How long before its first push a runner's test started: k6 pushes once a push interval. */
const PUSH_INTERVAL_MS = 1_000;

/**
 * The state of every runner that finished, in the shard-state format (src/shard/state.ts), as
 * shard i of N with its execution segment: what the gate's merge mode adds up and judges.
 */
export function runnerStates(collection: Collection, scenario: string, thresholds: Record<string, string[]> = {}): ShardState[] {
  const count = collection.runners.length;
  return collection.runners
    .filter((r) => r.finishedAt !== undefined && r.firstPushAt !== undefined)
    .map((r) => ({
      ...shardStateOf({
        // The runner's own tags name the state (shard, instance), not its series: without them the
        // runners' series of one tag set add up in the merge.
        series: [...r.series.values()].map(({ labels: { instance_id: _i, testrun_name: _t, ...labels }, ...rest }) => ({
          ...rest,
          labels,
        })),
        scenario,
        shard: { index: r.instance, count },
        segment: r.segment,
        sequence: segmentSequence(count),
        instance: `instance_id=${r.instance}`,
        span: {
          startMs: r.firstPushAt! - PUSH_INTERVAL_MS,
          endMs: r.finishedAt!,
          durationMs: r.finishedAt! - (r.firstPushAt! - PUSH_INTERVAL_MS),
        },
      }),
      // The script's, from `k6 inspect`: evaluated on the merged state as k6 would on one run.
      thresholds,
    }));
}
