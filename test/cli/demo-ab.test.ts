// `k6-gate demo --ab` as a user runs it, in-process with the real k6: two demo targets (A unchanged,
// B slowed by --slowdown) measured at the same time by the duet. A change far outside the machine's
// noise (+50 %) must fail on a busy machine; an unchanged candidate must never be called regressed
// (passed, equivalent, or inconclusive when the machine is too noisy to say more).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/model.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

async function demoAb(args: string[]) {
  const ws = await tempWorkspace('k6-gate-demo-ab-');
  const run = await runCli(['demo', '--ab', '--k6-path', testK6Path(), '--json', '--no-html-report', ...args], ws);
  const result = JSON.parse(run.stdout) as GateResult;
  return { ...run, result, ws };
}

describe('k6-gate demo --ab (a duet of two demo targets)', () => {
  it('--slowdown 50% is regressed by the duet: exit 1, the slowed statistic named, nothing recorded', async () => {
    const run = await demoAb(['--slowdown', '50%']);
    expect(run.status, run.stderr).toBe(1);
    // B's own k6 thresholds (the smoke profile's p(95)<500) are judged too: on a machine loaded far
    // enough to cross them the outcome is the worse one, thresholds-failed, and the duet's verdict stands.
    expect(run.result.outcome).toBe(run.result.thresholdsFailed > 0 ? 'thresholds-failed' : 'regressed');
    const [scenario] = run.result.scenarios;
    expect(scenario.duet?.outcome).toBe('regressed');
    // The demo's A/B watch list: the median and p(95) of http_req_duration, and the error rate.
    expect(scenario.metrics.map((m) => `${m.metric}:${m.stat}`).sort()).toEqual([
      'http_req_duration:med',
      'http_req_duration:p(95)',
      'http_req_failed:rate',
    ]);
    const median = scenario.metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'med');
    expect(median?.method).toBe('duet');
    expect(median?.verdict).toBe('regressed');
    expect(run.stderr).toMatch(/k6-gate demo: A\/B mode, base version \(A\) at http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stderr).toMatch(/k6-gate demo: the gate FAILED — regressed: .*http_req_duration med/);
    // The duet's numbers are no baseline: the committed demo baseline is untouched and none is written here.
    await expect(readFile(path.join(run.ws, 'k6-baseline.json'))).rejects.toThrow(/ENOENT/);
  }, 300_000);

  it('unchanged is never regressed: exit 0, passed (equivalent) or inconclusive, and the demo says which', async () => {
    const run = await demoAb([]);
    const [scenario] = run.result.scenarios;
    expect(['equivalent', 'inconclusive']).toContain(scenario.duet?.outcome);
    expect(scenario.metrics.filter((m) => m.verdict === 'regressed')).toEqual([]);
    expect(run.result.regressions).toBe(0);
    if (run.result.thresholdsFailed > 0) {
      // A machine loaded far enough to push B past the smoke profile's own limits (p(95)<500): that
      // fails the job as in any run, named as what it is, never as a regression.
      expect(run.status, run.stderr).toBe(1);
      expect(run.result.outcome).toBe('thresholds-failed');
      expect(run.stderr).toMatch(/k6-gate demo: the gate FAILED — \d+ k6 threshold\(s\) of the script crossed \(exit 1\)/);
      return;
    }
    expect(run.status, run.stderr).toBe(0);
    expect(['passed', 'inconclusive']).toContain(run.result.outcome);
    expect(run.stderr).toMatch(
      scenario.duet?.outcome === 'equivalent'
        ? /k6-gate demo: the gate passed \(exit 0\)\. Try `k6-gate demo --ab --slowdown 5%`/
        : /k6-gate demo: inconclusive \(exit 0\)/,
    );
  }, 300_000);

  it('--duration is refused with --ab before anything starts: the duet decides how long', async () => {
    const run = await runCli(['demo', '--ab', '--duration', '5s'], await tempWorkspace());
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'error: --duration does not apply to demo --ab: the duet runs blocks of 20 s until it decides (at most 60 s of k6 per side); leave --duration out',
    );
  });
});
