// A real k6 starved of CPU: started through `k6-path` as a wrapper that runs it at `nice -n 19`,
// next to two CPU burners at the normal priority that this test starts (and stops: killed in
// `finally`, and each under `timeout` so that none outlives a killed test), with enough VUs and no
// think time for k6 to have work all the time (a k6 that mostly sleeps is woken promptly even at
// nice 19, and is not starved). k6 then waits tens of ms for a CPU each time it has work
// (docs/verdicts.md); the gate must call the verdict inconclusive,
// say so in the summary, not record the run, and exit 0 by default and 1 with fail-on: inconclusive.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { K6_CPU_WAIT_LIMIT_MS } from '../../src/k6/load-health.js';
import type { GateResult } from '../../src/model.js';
import { printedResult, runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { startBurners, stopBurners, writeNiceK6 } from '../helpers/starve.js';

/** The longest a burner may live, whatever happens to this test. */
const BURNER_CAP_SECONDS = 300;

/**
 * The workspace's script and k6: a script without thresholds of its own (a starved k6's latencies
 * would cross them, and a crossed threshold rightly wins over inconclusive), and, through the
 * documented k6-path input, a program that runs k6 at the lowest priority. k6-gate starts k6 in a
 * session of its own, which Linux's autogroup scheduling makes a group of its own: the group's nice
 * is lowered too, or nice 19 would only rank k6 against itself.
 */
async function starvedSetup(ws: string) {
  await writeFile(
    path.join(ws, 'busy.js'),
    "import http from 'k6/http';\n" +
      "export const options = { vus: 6, duration: '3s' };\n" +
      'export default function () { http.get(`${__ENV.BASE_URL}/api/products`); }\n',
  );
  const niceK6 = await writeNiceK6(ws);
  return { target: target.url, k6: niceK6, json: true };
}

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 7 });
});
afterAll(async () => {
  await target.close();
});

describe.skipIf(process.platform !== 'linux')('a k6 starved of CPU', () => {
  it('makes the verdict inconclusive: said in the summary, not recorded, exit 0 by default and 1 with fail-on: inconclusive', async () => {
    // Two workspaces run at once (one with the default fail-on, one with fail-on: inconclusive): a
    // starved k6 takes tens of seconds to start, and the burners should run as briefly as they can.
    const [byDefaultWs, strictWs] = await Promise.all([tempWorkspace('k6-gate-starved-'), tempWorkspace('k6-gate-starved-strict-')]);
    const flagsIn = await Promise.all([byDefaultWs, strictWs].map((ws) => starvedSetup(ws)));
    const burners = startBurners(2, BURNER_CAP_SECONDS);
    try {
      const [byDefault, strict] = await Promise.all([
        runCli(runArgs('busy.js', flagsIn[0], '--update-baseline', 'always'), byDefaultWs),
        runCli(runArgs('busy.js', { ...flagsIn[1], failOn: 'regression,thresholds,inconclusive' }), strictWs),
      ]);
      const result: GateResult = printedResult(byDefault);
      const health = result.scenarios[0].analysis?.loadGenerator;
      expect(health?.k6CpuWaitMs, JSON.stringify(health)).toBeGreaterThanOrEqual(K6_CPU_WAIT_LIMIT_MS);
      expect(result).toMatchObject({ outcome: 'inconclusive', inconclusive: 1, failed: false });
      expect(result.scenarios[0].inconclusive).toMatch(
        /^the load generator was unhealthy: k6 waited [\d.]+ ms on average for a CPU each time it had work \(limit 10 ms; [\d.]+ % of the time it wanted a CPU\)/,
      );
      expect(byDefault.status).toBe(0);
      const report = readFileSync(path.join(byDefaultWs, 'k6-gate-results', 'report.md'), 'utf8');
      expect(report).toContain('## ❔ k6-gate: inconclusive, the numbers could not decide');
      expect(report).toContain('> **Inconclusive:** the load generator was unhealthy: k6 waited');
      // Not recorded: update-baseline always would have written this first run.
      expect(existsSync(path.join(byDefaultWs, 'k6-baseline.json'))).toBe(false);
      expect(result.baselineUpdated).not.toBe(true);
      expect(result.warnings.join('\n')).toMatch(/baseline not updated: busy is inconclusive \(the load generator was unhealthy/);

      expect(printedResult(strict)).toMatchObject({ outcome: 'inconclusive', failed: true });
      expect(strict.status).toBe(1);
    } finally {
      stopBurners(burners);
    }
  }, 400_000);
});
