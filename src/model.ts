// The data that flows between layers. Types only: every layer may import this module,
// and it imports nothing, so the one-way layer rule of docs/architecture.md holds.

/** k6 metric kinds, as k6 itself names them. */
export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

/** What a metric's numbers measure: `time` values are milliseconds, `data` values are bytes. */
export type MetricContains = 'time' | 'data' | 'default';

/** One metric (or submetric such as `http_req_duration{name:login}`) of a k6 end-of-test summary. */
export interface MetricSummary {
  name: string;
  type: MetricType;
  contains: MetricContains;
  /**
   * Stats keyed the way k6's legacy export keys them: `avg`, `min`, `med`, `max`, `p(90)`, `p(95)`,
   * `p(99)` for trends; `rate`, `passes`, `fails` for rates (the export's `value` is stored as `rate`);
   * `count`, `rate` for counters; `value`, `min`, `max` for gauges.
   */
  values: Record<string, number>;
  /**
   * Where `type` and `contains` come from: `k6` when k6 said so (machine-readable summary, raw
   * `--out json` Metric lines, merged shards), `guess` when inferred from the legacy export's keys
   * and the metric's name. A guess gives way to the type recorded in the baseline.
   */
  typeFrom?: 'k6' | 'guess';
}

/** A k6 threshold of the script (`options.thresholds`) and whether it held. */
export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
}

export interface CheckResult {
  name: string;
  path?: string;
  passes: number;
  fails: number;
}

/** k6's end-of-test summary in one shape, whichever file format it was read from. */
export interface RunSummary {
  format: 'legacy' | 'machine-readable';
  metrics: Record<string, MetricSummary>;
  /** Empty when the format carries none (the machine-readable format has no thresholds). */
  thresholds: ThresholdResult[];
  checks: CheckResult[];
  k6Version?: string;
  /** Wall time of the test as k6 measured it, when the format carries it. */
  durationMs?: number;
}

/**
 * The outcomes (docs/architecture.md, "Outcomes"), worst last. `inconclusive`: the numbers could not
 * decide (a duet that reached max-duration undecided, or a load generator too unhealthy to trust);
 * never recorded as a baseline, fails the job only when `fail-on` names it.
 */
export type Outcome = 'passed' | 'inconclusive' | 'regressed' | 'thresholds-failed' | 'error';

export type Direction = 'lower-is-better' | 'higher-is-better';

/** `inconclusive`: a duet statistic neither changed nor shown equivalent within its practical size. */
export type MetricVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive' | 'new' | 'missing';

/** How a metric's verdict was reached. */
export type DecisionMethod = 'prediction-interval' | 'tolerance' | 'paired' | 'duet' | 'none';

/** One watched metric+stat compared with its baseline. */
export interface MetricComparison {
  /** e.g. `http_req_duration` or `http_req_duration{name:login}` */
  metric: string;
  /** e.g. `p(95)`, `rate`, `avg` */
  stat: string;
  /** Unit of `baseline`/`current`: `ms` for time trends, `ratio` for rates (0..1), `per-second`, `count`, `bytes`. */
  unit: 'ms' | 'ratio' | 'per-second' | 'count' | 'bytes' | 'none';
  direction: Direction;
  baseline?: number;
  current?: number;
  /** Relative change, current/baseline - 1 (0.178 = +17.8%). Absent when either side is missing or baseline is 0. */
  change?: number;
  verdict: MetricVerdict;
  method: DecisionMethod;
  /** Values inside this band are not a regression (from tolerance, noise floor and interval). */
  band?: { low: number; high: number };
  /** Which of the limits set the band's bad side (the widest one): the report names it next to the limit. */
  limitBy?: 'tolerance' | 'noise floor' | 'interval';
  /** Number of history samples the decision used. */
  samples: number;
  /** Relative tolerance applied (0.1 = 10%). */
  tolerance: number;
  /**
   * The smallest change this comparison could see (minimum detectable effect at the gate's level with
   * 80 % power), relative like `change` (0.27 = 27 %); for rates in `ratio` units an absolute
   * difference (0.005 = 0.5 pp). From the history's spread (history mode) or the window spread (duet).
   */
  mde?: number;
  /**
   * What `mde` rests on when it came from the history (prediction-interval method): the history's
   * spread s (standard deviation of its `samples` values, of their logs on the log scale), the
   * decision's two-sided α and the power. The report derives from it what would lower the MDE.
   */
  mdeBasis?: { source: 'history'; spread: number; scale: 'log' | 'linear'; alpha: number; power: number };
  /** A missing metric is an error or only a warning, by rule. */
  severity?: 'error' | 'warning';
  /** One sentence a person can read, e.g. "p(95) 212 ms vs 180 ms ±9 ms, n=8, +17.8%". */
  note: string;
  /** This run's own sampling interval of `current` (order statistics / Wilson); an open end is absent. */
  sampling?: { n: number; low?: number; high?: number; confidence: number };
  /** `current` of every run when confirmation reruns were made, first run first. */
  runs?: number[];
  /** The value alone was past a limit, but this run's own sampling band reaches back inside it. */
  thin?: boolean;
  /** A/B mode: the value of every round against baseline-target (A), pair order; `runs` holds B's. */
  abBaseline?: number[];
  /**
   * A/B mode: what the paired decision weighed, so a report can say why a change was or was not
   * counted: the signed-rank test's two-sided p against `alpha`, the median pair difference B − A
   * against the noise floor, and (times, sizes) the median pair ratio against `minEffect`.
   */
  abDecision?: { p: number; alpha: number; difference: number; noiseFloor: number; minEffect: number };
}

/** One k6 run of one scenario, as far as it got. */
export interface ScenarioResult {
  /** Scenario name (file name without extension, or the name given). */
  scenario: string;
  profile?: string;
  /** Baseline key: `scenario` or `scenario@profile`. */
  key: string;
  /** k6's exit code; undefined when k6 never ran (install or preflight failed). */
  exitCode?: number;
  /** What the exit code means (from the exit-code table). */
  exitMeaning?: string;
  outcome: Outcome;
  /** Why the outcome is `error`, in words. */
  error?: string;
  /** Why the outcome is `inconclusive`, in words (max-duration reached undecided, load generator unhealthy). */
  inconclusive?: string;
  /** What the script threw (k6 exit 107, `test.abort()`, `test.fail()`), as k6 logged it. */
  exception?: string;
  summary?: RunSummary;
  thresholds: ThresholdResult[];
  metrics: MetricComparison[];
  /** Files written for this scenario, relative to the results dir. */
  files: Record<string, string>;
  /** k6's own run time in ms (spawn to exit); with reruns or A/B rounds, the sum over every k6 run. */
  k6WallMs?: number;
  /** k6 runs this verdict rests on (confirmation reruns, A/B rounds); absent = one. */
  k6Runs?: number;
  /** How the verdict was reached when it took more than one run, in words (confirmation, A/B). */
  verdictNote?: string;
  /** A/B duet: how the duet decided, look by look (the windows themselves: `files.duetWindows`). */
  duet?: DuetRecord;
  /** Per-endpoint breakdown, error mix and load-generator health (live analysis). */
  analysis?: ScenarioAnalysis;
  /** open (arrival-rate), closed (VU-based) or mixed, from `k6 inspect` (with live analysis). */
  executorModel?: 'open' | 'closed' | 'mixed';
  /**
   * Watched stats over the baseline's accepted runs, this run last (the report's sparklines):
   * `accepted` of the `values` are accepted runs, the one after them (when there is one) this run.
   */
  trend?: { metric: string; stat: string; values: number[]; accepted?: number }[];
}

/** One watched statistic of a duet at its last look (src/verdict/duet/decision.ts, DuetStatResult). */
export interface DuetStatRecord {
  /** `metric:stat`, e.g. `http_req_duration:p(95)`. */
  id: string;
  verdict: 'regressed' | 'improved' | 'equivalent' | 'undecided';
  /** Paired windows behind it. */
  windows: number;
  /** B vs A: relative for latencies, a difference for the error rate; absent with too few windows. */
  change?: number;
  interval?: [number, number];
  /** Two-sided p of "no change", and the level it was held to at that look (after spending and Holm). */
  p?: number;
  level: number;
  /** The smallest change called: the practical size (ab-min-effect) or the window noise, when larger. */
  floor: { value: number; source: 'practical size' | 'window noise' };
  mde?: number;
}

/** A/B duet mode: what the duet did and why it stopped (comparison.json). */
export interface DuetRecord {
  outcome: 'regressed' | 'improved' | 'equivalent' | 'inconclusive' | 'error';
  /** Why it stopped, in words. */
  stopReason: string;
  /** The side an error is about: A (baseline-target) or B (target). */
  side?: 'A' | 'B';
  /** target and baseline-target are the same URL: the duet of the base against itself. */
  aa?: boolean;
  /** Seconds of k6 per side until it stopped (both sides run at the same time). */
  k6SecondsPerSide: number;
  blockSeconds: number;
  maxSeconds: number;
  /** The practical size of a latency change (ab-min-effect). */
  minEffect: number;
  /** Every look: its information fraction, what it said and why. */
  looks: { look: number; fraction: number; outcome: string; reason: string }[];
  /** The watched statistics at the last look. */
  stats: DuetStatRecord[];
}

/** One endpoint's row of the per-endpoint breakdown (from live sample analysis). */
export interface EndpointResult {
  /** The `name` tag, else method + URL with IDs collapsed (`GET /orders/{id}`). */
  endpoint: string;
  requests: number;
  /** Requests k6 counted in http_req_failed. */
  failed: number;
  failureRate: number;
  /** http_req_duration stats in ms. */
  avg: number;
  med: number;
  p95: number;
  max: number;
  /** p(95) in the baseline's per-endpoint entry, when it has one. */
  baselineP95?: number;
  /** Relative change of p(95) against the baseline (0.2 = +20 %). */
  p95Change?: number;
}

/** Failed requests of one kind at one endpoint. */
export interface ErrorMixEntry {
  endpoint: string;
  status: string;
  errorCode?: string;
  count: number;
  /** When the first one happened (ISO time) and how far into the run (ms). */
  firstAt: string;
  firstAfterMs: number;
}

/** How trustworthy the load generator's numbers are; warnings say what to change. */
export interface LoadGeneratorHealth {
  droppedIterations: number;
  /** Active VUs when an arrival-rate executor hit maxVUs (k6's "Insufficient VUs" warning). */
  vusMaxedOut?: number;
  /** Peak CPU use of the k6 process in cores (1 = one full core), sampled from /proc. */
  k6CpuPeakCores?: number;
  k6CpuAvgCores?: number;
  cores?: number;
  /** Linux PSI "some": % of the run's wall time some task waited for a CPU. */
  cpuPressurePercent?: number;
  /** % of CPU time stolen by the hypervisor during the run. */
  stealPercent?: number;
  /** k6's threads: % of the time they wanted a CPU that they spent waiting for one (Linux schedstat). */
  k6CpuWaitPercent?: number;
  /** k6's threads: mean wait for a CPU each time they got one, in ms (Linux schedstat). */
  k6CpuWaitMs?: number;
  executorModel?: 'open' | 'closed' | 'mixed';
  warnings: string[];
  /**
   * Why the run's numbers cannot decide a verdict (k6 starved of CPU, load not delivered); each makes
   * the scenario inconclusive. Absent when the load generator was fit to measure.
   */
  untrustworthy?: string[];
}

/** Findings beyond the numbers: what live sample analysis saw during the run. */
export interface ScenarioAnalysis {
  /** Trend samples k6 aggregated (remote write) or lines read from its JSON output. */
  samples: number;
  /**
   * Where the samples came from: k6's remote-write output (per-endpoint percentiles then come from
   * k6's native-histogram buckets, interpolated) or its JSON output (every sample).
   */
  source?: 'remote-write' | 'json';
  /** Distinct endpoints seen (the table lists the top ones). */
  endpointCount: number;
  endpoints: EndpointResult[];
  errors: ErrorMixEntry[];
  failedChecks: { name: string; fails: number; passes: number }[];
  loadGenerator?: LoadGeneratorHealth;
}

/** Everything the gate decided: written as comparison.json and rendered by every reporter. */
export interface GateResult {
  schemaVersion: 1;
  tool: { name: 'k6-gate'; version: string };
  generatedAt: string;
  k6?: { version: string; path: string; source: string };
  target?: string;
  environment?: string;
  baselinePath?: string;
  outcome: Outcome;
  /** Which outcomes fail the job (from `fail-on`). */
  failOn: FailOn[];
  /** True when the policy fails the job. */
  failed: boolean;
  scenarios: ScenarioResult[];
  regressions: number;
  thresholdsFailed: number;
  /** Scenarios whose outcome is `inconclusive` (set with the outcome, by the policy). */
  inconclusive?: number;
  /** Non-fatal problems worth a line in the report. */
  warnings: string[];
  baselineUpdated?: boolean;
  /**
   * Set when k6-gate was asked to stop (Ctrl-C, `kill`, a job cancel) and stopped early: the signal.
   * The outcome is then `error`; what was measured before the stop is kept.
   */
  cancelled?: 'SIGINT' | 'SIGTERM';
  /**
   * Set when the run stopped on bad input (a configuration the gate refused) before anything was
   * measured; the outcome is then `error` and the report's headline says "bad input".
   */
  badInput?: boolean;
  /** The run's `testid` label on every series sent to a metrics output (set when `metrics-output` is). */
  testId?: string;
  /** Links shown in reports (artifacts, run page, HTML report). */
  links?: { label: string; url: string }[];
}

/** `inconclusive`: an inconclusive scenario fails the job too (off by default). */
export type FailOn = 'regression' | 'thresholds' | 'inconclusive';
