// Baseline integrity end to end, with the real k6 and the demo target, through the CLI as a user
// runs it: the direction of a trend that carries `count`, a broken run refused as the baseline,
// staging and production kept apart, old files migrated, strict input.
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { printedResult, runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

/** A script without thresholds: nothing but the gate can object to what it measures. */
const PROBE = `
import http from 'k6/http';
import { check, sleep } from 'k6';
export const options = { vus: 1, duration: '1500ms' };
export default function () {
  const res = http.get(__ENV.BASE_URL + '/api/products');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.05);
}
`;

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 2 });
});
afterAll(() => target.close());

function probeArgs(...extra: string[]): string[] {
  return runArgs('probe=probe.js', { target: target.url, k6: testK6Path() }, '--no-preflight', ...extra);
}

async function probeWorkspace(): Promise<string> {
  const ws = await tempWorkspace('k6-gate-integrity-');
  await writeFile(path.join(ws, 'probe.js'), PROBE);
  return ws;
}

async function readBaseline(ws: string) {
  return JSON.parse(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'));
}

describe('direction from k6 types (real k6)', () => {
  it('with count in the trend stats, a 10x slower target exits 1 naming http_req_duration p(95) as regressed', async () => {
    // A target of its own, 100 ms a request: the slow run's +900 ms stays decisive even when a busy
    // machine adds a few hundred ms of waiting to the first run's p(95).
    const slowable = await startDemoTarget({ port: 0, latencyMs: 100, jitterMs: 2 });
    const ws = await probeWorkspace();
    const args = runArgs(
      'probe=probe.js',
      { target: slowable.url, k6: testK6Path() },
      '--no-preflight',
      '--k6-args',
      '--summary-trend-stats avg,min,med,max,p(90),p(95),p(99),count',
    );
    try {
      const first = await runCli([...args, '--update-baseline', 'always'], ws);
      expect(first.status, first.stderr).toBe(0);
      const stat = (await readBaseline(ws)).scenarios.probe.metrics.http_req_duration['p(95)'];
      expect(stat).toMatchObject({ type: 'trend', unit: 'ms' });

      // 10 × the 100 ms; the probe script has no thresholds, so this is a regression alone.
      slowable.setKnobs({ slowdown: 9 });
      const slow = await runCli([...args, '--json'], ws);
      expect(slow.status, slow.stderr).toBe(1);
      const result = printedResult(slow);
      const row = result.scenarios[0].metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')!;
      expect(row).toMatchObject({ verdict: 'regressed', direction: 'lower-is-better', unit: 'ms' });
      // 10x the latency; a loaded machine adds its own delay to both runs, so only "clearly slower" is asserted.
      expect(row.change!).toBeGreaterThan(0.5);
      const report = await readFile(path.join(ws, 'k6-gate-results', 'report.md'), 'utf8');
      expect(report).toMatch(/http_req_duration[^\n]*p\(95\)[^\n]*regressed/i);
    } finally {
      await slowable.close();
    }
  }, 60_000);
});

describe('no poisoned baselines (real k6)', () => {
  it('a target failing every request is refused as the baseline by default, accepted with force, and says so', async () => {
    const ws = await probeWorkspace();
    target.setKnobs({ errorRate: 1 });
    try {
      const refused = await runCli(probeArgs('--update-baseline', 'always', '--json'), ws);
      expect(refused.status, refused.stderr).toBe(0); // nothing to compare with: the gate itself passes …
      const result = printedResult(refused);
      expect(result.baselineUpdated).toBeUndefined();
      // … but it says why nothing was recorded, in the report and on stderr.
      const why =
        'baseline not updated: probe is not a sane run to compare with: http_req_failed is 100%, above the 10% limit; checks passed 0%, below the 90% limit (the limits are `record` in the rules file; update-baseline: force records it anyway)';
      expect(result.warnings).toContain(why);
      expect(refused.stderr).toContain(why);
      const broken =
        'probe: every request failed (http_req_failed = 100%) and every check failed (checks = 0%); there is no baseline to compare with, so nothing else flags it — is the target up and the script right?';
      expect(result.warnings).toContain(broken);
      expect(refused.stderr).toContain(`warning: k6-gate: ${broken}`);
      expect(await readFile(path.join(ws, 'k6-gate-results', 'report.md'), 'utf8')).toContain('every request failed');
      await expect(readFile(path.join(ws, 'k6-baseline.json'))).rejects.toThrow(/ENOENT/);

      const forced = await runCli(probeArgs('--update-baseline', 'force', '--json'), ws);
      expect(forced.status).toBe(0);
      expect(printedResult(forced).baselineUpdated).toBe(true);
      expect(forced.stderr).toMatch(
        /warning: k6-gate: FORCED: probe recorded in the baseline although it is not a sane run \(http_req_failed is 100%, above the 10% limit; checks passed 0%, below the 90% limit\)/,
      );
      expect((await readBaseline(ws)).scenarios.probe.metrics.http_req_failed.rate.accepted).toBe(1);
    } finally {
      target.setKnobs({ errorRate: 0 });
    }
  }, 60_000);
});

describe('per-environment history (real k6)', () => {
  it('staging and production runs of the same scenario land in separate histories; an old file migrates', async () => {
    const ws = await probeWorkspace();
    // A file of today's format: one history, keyed without the environment.
    const old = {
      version: 1,
      scenarios: {
        probe: {
          scenario: 'probe',
          metrics: {
            // Far above what the probe takes, so a busy machine cannot turn this key test into a regression.
            http_req_duration: { 'p(95)': { accepted: 500, unit: 'ms', history: [{ value: 500, date: '2026-11-01T10:00:00Z' }] } },
          },
        },
      },
    };
    await writeFile(path.join(ws, 'k6-baseline.json'), `${JSON.stringify(old, null, 2)}\n`);

    // Production is protected: without its own entry the run is an error that says how to move the old one…
    const refused = await runCli(probeArgs('--environment', 'production'), ws);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      'The file has "probe", recorded before baseline keys named the environment: expected "probe@@production"; if those runs measured production, move them with `k6-gate baseline migrate --environment production`',
    );
    // …and its first run passes only when allowed to start its history.
    const production = await runCli(
      probeArgs('--environment', 'production', '--update-baseline', 'always', '--allow-new-baseline', 'true', '--json'),
      ws,
    );
    expect(production.status, production.stderr).toBe(0);
    const productionResult = printedResult(production);
    expect(productionResult.scenarios[0].key).toBe('probe@@production');
    // The old, unscoped history is not used for production: another environment may have recorded it.
    expect(productionResult.warnings).toContain(
      'k6-baseline.json has "probe", recorded before baseline keys named the environment, but no "probe@@production": it is not used for production (another environment may have recorded it), so every metric is reported as new; if those runs measured production, move them with `k6-gate baseline migrate --environment production`',
    );

    // The old history measured staging: migrate it there.
    const migrate = await runCli(['baseline', 'migrate', '--environment', 'staging'], ws);
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stderr).toContain('k6-gate: moved probe -> probe@@staging in k6-baseline.json');

    const staging = await runCli(probeArgs('--environment', 'staging', '--update-baseline', 'always', '--json'), ws);
    expect(staging.status, staging.stderr).toBe(0);
    const stagingRow = printedResult(staging).scenarios[0].metrics.find((m) => m.stat === 'p(95)')!;
    expect(stagingRow.baseline).toBe(500); // compared with staging's own (migrated) history

    const baseline = await readBaseline(ws);
    expect(Object.keys(baseline.scenarios).sort()).toEqual(['probe@@production', 'probe@@staging']);
    expect(baseline.scenarios['probe@@staging']).toMatchObject({ scenario: 'probe', environment: 'staging' });
    expect(baseline.scenarios['probe@@staging'].metrics.http_req_duration['p(95)'].history).toHaveLength(2);
    expect(baseline.scenarios['probe@@production'].metrics.http_req_duration['p(95)'].history).toHaveLength(1);
  }, 60_000);
});

describe('recorded types (real k6)', () => {
  it('a metric whose type differs from the one the baseline recorded is a warning in the report and on stderr', async () => {
    const ws = await probeWorkspace();
    const recorded = {
      version: 1,
      scenarios: {
        probe: {
          scenario: 'probe',
          metrics: {
            http_req_duration: {
              'p(95)': { accepted: 25, type: 'counter', unit: 'count', history: [{ value: 25, date: '2026-11-01T10:00:00Z' }] },
            },
          },
        },
      },
    };
    await writeFile(path.join(ws, 'k6-baseline.json'), JSON.stringify(recorded));
    const run = await runCli(probeArgs('--json'), ws);
    const warning =
      'probe: http_req_duration p(95) changed type counter → trend since the baseline was recorded; the values may not be comparable (the summary shows trend of times; re-record the baseline if the change is intended)';
    expect(printedResult(run).warnings).toContain(warning);
    expect(run.stderr).toContain(`warning: k6-gate: ${warning}`);
    // The run's own type decides direction and unit.
    const row = printedResult(run).scenarios[0].metrics.find((m) => m.stat === 'p(95)')!;
    expect(row).toMatchObject({ unit: 'ms', direction: 'lower-is-better' });
  }, 60_000);
});

describe('update failures are said where people look (real k6)', () => {
  it('a read-only baseline is not replaced, keeps its mode, and "baseline not updated" is on stderr too', async () => {
    const ws = await probeWorkspace();
    const file = path.join(ws, 'k6-baseline.json');
    await writeFile(file, '{ "version": 1, "scenarios": {} }\n');
    await chmod(file, 0o444);
    const run = await runCli(probeArgs('--update-baseline', 'always', '--json'), ws);
    expect(run.status, run.stderr).toBe(0);
    const why =
      'baseline not updated: baseline k6-baseline.json is read-only (mode 0444); expected a writable file: make it writable, or run without update-baseline';
    expect(printedResult(run).warnings).toContain(why);
    expect(run.stderr).toContain(`warning: k6-gate: ${why}`);
    expect((await stat(file)).mode & 0o777).toBe(0o444);
    expect(await readFile(file, 'utf8')).toBe('{ "version": 1, "scenarios": {} }\n');
  }, 60_000);
});

describe('strict input', () => {
  it('a watched metric nobody has is a config error naming the closest known metric (exit 2)', async () => {
    const ws = await probeWorkspace();
    const typo = await runCli(probeArgs('--watch', 'http_req_durration:p(95)', '--json'), ws);
    expect(typo.status).toBe(2);
    expect(printedResult(typo).scenarios[0].error).toBe(
      'config error: watched metric "http_req_durration:p(95)" is not a metric of this run nor of the baseline; expected a k6 metric name such as "http_req_duration" (the closest known one)',
    );
  }, 60_000);

  it('the baseline path may not be one of the results files k6-gate writes', async () => {
    const ws = await probeWorkspace();
    const clash = await runCli(probeArgs('--baseline', 'k6-gate-results/comparison.json'), ws);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toContain(
      'baseline k6-gate-results/comparison.json is one of the files k6-gate writes into the results dir (comparison.json); expected a file of its own, e.g. k6-baseline.json',
    );
  });

  it('--update-baseline takes only its documented words: "yes" is an error, not a scenario name', async () => {
    const ws = await probeWorkspace();
    const yes = await runCli(['run', 'probe.js', '--update-baseline', 'yes', '--target', target.url], ws);
    expect(yes.status).toBe(2);
    expect(yes.stderr).toContain(
      'update-baseline "yes" is not valid; expected false, true, auto (default branch only), always (passed or regressed runs), force (any run), or pull-request / merge-request',
    );
  });

  it('baseline diff of a missing file is an error (exit 2), not "the same"', async () => {
    const ws = await probeWorkspace();
    const diff = await runCli(['baseline', 'diff', 'old.json', 'new.json'], ws);
    expect(diff.status).toBe(2);
    expect(diff.stderr).toContain('baseline old.json does not exist; expected a baseline JSON file');
    expect(diff.stdout).toBe('');
  });

  it('a baseline with a negative time or a value of 1e308 is refused with the JSON path', async () => {
    const ws = await probeWorkspace();
    const stat = (accepted: number) => ({
      version: 1,
      scenarios: { probe: { scenario: 'probe', metrics: { http_req_duration: { 'p(95)': { accepted, unit: 'ms', history: [] } } } } },
    });
    await writeFile(path.join(ws, 'k6-baseline.json'), JSON.stringify(stat(-154)));
    const negative = await runCli(['baseline', 'show'], ws);
    expect(negative.status).toBe(2);
    expect(negative.stderr).toContain(
      'k6-baseline.json: $.scenarios["probe"].metrics["http_req_duration"]["p(95)"].accepted is -154; expected a value ≥ 0 (its unit is ms)',
    );
    await writeFile(path.join(ws, 'k6-baseline.json'), JSON.stringify(stat(1e308)));
    const huge = await runCli(['baseline', 'show'], ws);
    expect(huge.status).toBe(2);
    expect(huge.stderr).toContain('.accepted is 1e+308; expected a measured value of at most 1000000000000000 (no k6 metric gets there)');
  });
});
