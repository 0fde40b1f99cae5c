// Shared test builders: hand-made GateResults shaped like the pipeline's (for adapter tests that need
// no k6 run), the argument list of a `k6-gate run` as a user types it, and the GateResult a
// `--json` run prints. Nothing here runs k6: a test that does names its k6 itself.
import type { GateResult, MetricComparison, ScenarioResult } from '../../src/model.js';

/** The flags of a `k6-gate run` most tests give; each one left out is not passed. */
export interface RunFlags {
  target?: string;
  /** --k6-path: the k6 binary (testK6Path() in a real-k6 test). */
  k6?: string;
  profile?: string;
  environment?: string;
  /** --env KEY=VALUE, one flag a variable, in this order. */
  env?: Record<string, string>;
  /** false (the default here) passes --no-html-report: tests rarely want k6's dashboard. */
  htmlReport?: boolean;
  failOn?: string;
  json?: boolean;
}

/** `k6-gate run <scenario> …`: the flags, then `extra` as given. */
export function runArgs(scenario: string, flags: RunFlags = {}, ...extra: string[]): string[] {
  const args = ['run', scenario];
  if (flags.target !== undefined) args.push('--target', flags.target);
  if (flags.k6 !== undefined) args.push('--k6-path', flags.k6);
  if (flags.profile !== undefined) args.push('--profile', flags.profile);
  if (flags.environment !== undefined) args.push('--environment', flags.environment);
  for (const [key, value] of Object.entries(flags.env ?? {})) args.push('--env', `${key}=${value}`);
  if (!flags.htmlReport) args.push('--no-html-report');
  if (flags.failOn !== undefined) args.push('--fail-on', flags.failOn);
  if (flags.json) args.push('--json');
  return [...args, ...extra];
}

/** The GateResult a `--json` run printed on stdout. */
export function printedResult(run: { stdout: string }): GateResult {
  return JSON.parse(run.stdout) as GateResult;
}

export function metricRow(overrides: Partial<MetricComparison> & Pick<MetricComparison, 'metric' | 'stat'>): MetricComparison {
  const baseline = overrides.baseline ?? 100;
  const current = overrides.current ?? 101;
  return {
    unit: 'ms',
    direction: 'lower-is-better',
    baseline,
    current,
    change: current / baseline - 1,
    verdict: 'unchanged',
    method: 'tolerance',
    band: { low: 0, high: baseline * 1.1 },
    samples: 1,
    tolerance: 0.1,
    note: `${overrides.stat} ${current} ms vs ${baseline} ms`,
    ...overrides,
  };
}

export function scenarioResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'http-endpoints',
    profile: 'smoke',
    key: 'http-endpoints@smoke',
    exitCode: 0,
    exitMeaning: 'the test finished',
    outcome: 'passed',
    thresholds: [{ metric: 'http_req_failed', expression: 'rate<0.01', ok: true }],
    metrics: [
      metricRow({ metric: 'http_req_duration', stat: 'p(95)', baseline: 180, current: 182 }),
      metricRow({ metric: 'http_req_duration', stat: 'med', baseline: 90, current: 91 }),
      metricRow({ metric: 'http_req_failed', stat: 'rate', unit: 'ratio', baseline: 0.001, current: 0.001, change: 0 }),
    ],
    files: { summary: 'summary-http-endpoints.json', log: 'k6-http-endpoints.log' },
    ...overrides,
  };
}

export function gateResult(overrides: Partial<GateResult> = {}): GateResult {
  return {
    schemaVersion: 1,
    tool: { name: 'k6-gate', version: '0.1.0' },
    generatedAt: '2025-01-01T00:00:00.000Z',
    k6: { version: '2.2.0', path: '/opt/k6', source: 'path' },
    target: 'http://127.0.0.1:8080',
    baselinePath: 'k6-baseline.json',
    outcome: 'passed',
    failOn: ['regression', 'thresholds'],
    failed: false,
    scenarios: [scenarioResult()],
    regressions: 0,
    thresholdsFailed: 0,
    warnings: [],
    ...overrides,
  };
}

/** The same scenario with p(95) 40% slower and a crossed threshold. */
export function regressedResult(): GateResult {
  const scenario = scenarioResult({
    outcome: 'regressed',
    thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<200', ok: false }],
    metrics: [
      metricRow({
        metric: 'http_req_duration',
        stat: 'p(95)',
        baseline: 180,
        current: 252,
        verdict: 'regressed',
        note: 'p(95) 252 ms vs 180 ms, +40%',
      }),
      metricRow({ metric: 'http_req_duration', stat: 'med', baseline: 90, current: 91 }),
    ],
  });
  return gateResult({ outcome: 'regressed', failed: true, regressions: 1, thresholdsFailed: 1, scenarios: [scenario] });
}

/** A result whose report is far larger than a PR comment may be. */
export function hugeResult(rows = 3000): GateResult {
  const metrics = Array.from({ length: rows }, (_, i) =>
    metricRow({
      metric: `http_req_duration{name:endpoint-number-${i}-with-a-long-descriptive-name}`,
      stat: 'p(95)',
      baseline: 100 + i,
      current: i % 3 === 0 ? 200 + i : 100 + i,
      verdict: i % 3 === 0 ? 'regressed' : 'unchanged',
      note: `endpoint ${i} is a lot slower than it used to be, which is worth a sentence of its own`,
    }),
  );
  const regressions = metrics.filter((m) => m.verdict === 'regressed').length;
  return gateResult({ outcome: 'regressed', failed: true, regressions, scenarios: [scenarioResult({ outcome: 'regressed', metrics })] });
}
