// A duet whose two k6 processes are starved of CPU, with the real k6 and two demo targets on
// loopback: both started through `k6-path` as a wrapper that runs k6 at the lowest priority, next
// to two CPU burners at the normal priority (each in a process group of its own, under `timeout`,
// killed in `finally`). The duet's numbers then carry k6's own waiting for a CPU: the verdict is
// inconclusive with that reason, said in the summary, not recorded, and the job passes by default.
// Neither side is blamed: both targets answer.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { GateResult } from '../../src/model.js';
import { printedResult, runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { startBurners, stopBurners, writeNiceK6 } from '../helpers/starve.js';

const validateComparison = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../schemas/comparison.schema.json'), 'utf8')),
);

/** The longest a burner may live, whatever happens to this test. */
const BURNER_CAP_SECONDS = 240;

let base: DemoTarget;
let candidate: DemoTarget;
beforeAll(async () => {
  base = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 1 });
  candidate = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 2 });
});
afterAll(async () => {
  await base.close();
  await candidate.close();
});

describe.skipIf(process.platform !== 'linux')('a duet whose k6 processes are starved of CPU', () => {
  it('a k6 starved of CPU during the duet → inconclusive, said in the summary, not recorded', async () => {
    const ws = await tempWorkspace('k6-gate-duet-starved-');
    // Work all the time (no think time) and a load that outlasts the duet (the duet stops each half);
    // no thresholds of its own: a starved k6's latencies would cross them, and a crossed threshold wins.
    await writeFile(
      path.join(ws, 'busy.js'),
      "import http from 'k6/http';\n" +
        "export const options = { vus: 6, duration: '10m' };\n" +
        'export default function () { http.get(`${__ENV.BASE_URL}/api/products`); }\n',
    );
    const niceK6 = await writeNiceK6(ws);
    // Four burners on the machine's two cores: a k6 at nice 19 then gets so little CPU that one of
    // them often spends its whole first half starting (no requests), the case that once blamed a side.
    const burners = startBurners(4, BURNER_CAP_SECONDS);
    let run;
    try {
      run = await runCli(
        runArgs(
          'busy.js',
          { target: candidate.url, k6: niceK6, json: true },
          '--baseline-target',
          base.url,
          '--max-duration',
          '20s',
          '--update-baseline',
          'always',
        ),
        ws,
      );
    } finally {
      stopBurners(burners);
    }
    const result: GateResult = printedResult(run);
    const s = result.scenarios[0];
    console.log(`starved duet: ${s.outcome}: ${s.error ?? s.inconclusive}; ${s.verdictNote}`);
    expect(s.error).toBeUndefined();
    expect(result).toMatchObject({ outcome: 'inconclusive', inconclusive: 1, failed: false });
    // Either no look (a side's k6 spent its whole half starting: no requests) or a look undecided;
    // either way the reason is the load generator's, with its figure.
    expect(s.inconclusive).toMatch(
      /(^|; )the load generator was unhealthy: k6 waited [\d.]+ ms on average for a CPU each time it had work \(limit 10 ms; /,
    );
    expect(run.status).toBe(0);
    const report = readFileSync(path.join(ws, 'k6-gate-results', 'report.md'), 'utf8');
    expect(report).toContain('## ❔ k6-gate: inconclusive, the numbers could not decide');
    expect(report).toMatch(/^> \*\*Inconclusive:\*\* (.*; )?the load generator was unhealthy: k6 waited /m);
    expect(report).not.toMatch(/error|is it down|did its k6 reach it/i);
    const comparison = JSON.parse(readFileSync(path.join(ws, 'k6-gate-results', 'comparison.json'), 'utf8'));
    expect(validateComparison(comparison), JSON.stringify(validateComparison.errors)).toBe(true);
    expect(comparison.scenarios[0].duet).toMatchObject({ outcome: 'inconclusive' });
    expect(comparison.scenarios[0].duet.side).toBeUndefined();
    // Not recorded: update-baseline always would have written a run alone.
    expect(existsSync(path.join(ws, 'k6-baseline.json'))).toBe(false);
    expect(result.baselineUpdated).not.toBe(true);
  }, 300_000);
});
