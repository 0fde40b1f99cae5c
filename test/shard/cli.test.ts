// The shard and merge words of the CLI, end to end with the real k6: three `run --shard i/3`
// jobs, then `merge --from` gates the whole test through the normal compare/report path.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { GateResult } from '../../src/model.js';
import { testK6Path } from '../helpers/k6.js';
import { SCRIPT, startTarget, type Target } from './k6-fixtures.js';

describe('k6-gate run --shard / merge --from', () => {
  let dir: string;
  let target: Target;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-shard-cli-'));
    await writeFile(path.join(dir, 'steady.js'), SCRIPT);
    target = await startTarget();
  });
  afterAll(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main({
      argv,
      env: { PATH: process.env.PATH },
      cwd: dir,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  }

  it('shard jobs pass on their own share; the merge job gates on the thresholds of the whole test', async () => {
    for (const i of [1, 2, 3]) {
      const r = await cli([
        'run',
        'steady.js',
        '--shard',
        `${i}/3`,
        '--target',
        target.url,
        '--results-dir',
        `artifacts/shard-${i}`,
        '--k6-path',
        testK6Path(),
        '--no-html-report',
        '--no-preflight',
      ]);
      // The script's thresholds are crossed in every shard; a shard still passes: only the merge judges.
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`--execution-segment ${['0:1/3', '1/3:2/3', '2/3:1'][i - 1]} --execution-segment-sequence 0,1/3,2/3,1`);
      const files = await readdir(path.join(dir, 'artifacts', `shard-${i}`));
      // The k6 log too carries the shard suffix: all shards' logs reach the merge job, not only the last one's.
      expect(files).toEqual(
        expect.arrayContaining([
          `state-steady.shard-${i}-of-3.json`,
          `summary-steady.shard-${i}-of-3.json`,
          `k6-steady.shard-${i}-of-3.log`,
        ]),
      );
      // By default a shard writes its state file, not every sample.
      expect(files).not.toContain(`k6-steady.shard-${i}-of-3.json.gz`);
      expect((await readFile(path.join(dir, 'artifacts', `shard-${i}`, `k6-steady.shard-${i}-of-3.log`), 'utf8')).length).toBeGreaterThan(
        0,
      );
    }
    const merged = await cli(['merge', 'steady.js', '--from', 'artifacts', '--results-dir', 'merged', '--fail-on', 'thresholds', '--json']);
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.stderr).toMatch(/merging 3 shard state file\(s\) of steady/);
    // The merge job runs no k6, so it wrote no HTML report and does not list one.
    expect(merged.stderr).toMatch(/results in merged\/ \(report\.md, comparison\.json, summaries, k6 logs\)/);
    const result = JSON.parse(merged.stdout) as GateResult;
    expect(result.outcome).toBe('thresholds-failed');
    const scenario = result.scenarios[0];
    expect(scenario.thresholds).toContainEqual({ metric: 'http_req_failed', expression: 'rate<0.01', ok: false });
    expect(scenario.thresholds).toContainEqual({ metric: 'http_req_duration{name:fast}', expression: 'p(95)<2000', ok: true });
    // The baseline comparison ran on the merged summary (no baseline yet: every watched metric is new).
    expect(scenario.metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')).toMatchObject({ verdict: 'new' });
    // Each shard's summary notes the k6 that measured it, for the merge job's baseline entry.
    expect(JSON.parse(await readFile(path.join(dir, 'artifacts', 'shard-1', 'summary-steady.shard-1-of-3.json'), 'utf8')).k6_gate).toEqual({
      k6Version: '2.2.0',
    });
    const summaryFile = JSON.parse(await readFile(path.join(dir, 'merged', scenario.files.summary), 'utf8'));
    const sumOfShards = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          JSON.parse(await readFile(path.join(dir, 'artifacts', `shard-${i}`, `summary-steady.shard-${i}-of-3.json`), 'utf8')).metrics
            .http_reqs.count as number,
      ),
    );
    expect(summaryFile.metrics.http_reqs.count).toBe(sumOfShards.reduce((a, b) => a + b));
  }, 120_000);

  it('a merged run recorded in the baseline keeps the real k6 version, not the word "merged"', async () => {
    // Uses the shard files of the test above. Its thresholds are crossed: only force records it, loudly.
    const merged = await cli([
      'merge',
      'steady.js',
      '--from',
      'artifacts',
      '--results-dir',
      'merged-recorded',
      '--baseline',
      'merged-baseline.json',
      '--update-baseline',
      'force',
      // Merge mode installs no k6: the version must come from the shards (2.2.0), not from here.
      '--k6-version',
      '1.8.1',
    ]);
    expect(merged.stderr).toMatch(/FORCED: steady recorded in the baseline although it is not a sane run \(\d+ thresholds? crossed/);
    const baseline = JSON.parse(await readFile(path.join(dir, 'merged-baseline.json'), 'utf8'));
    const history = baseline.scenarios.steady.metrics.http_req_duration['p(95)'].history;
    expect(history[0].k6Version).toBe('2.2.0');
    expect(baseline.scenarios.steady.metrics.http_req_duration['p(95)']).toMatchObject({ type: 'trend', unit: 'ms' });
  }, 60_000);

  it('with --raw-output the shards write every sample instead of a state file, and the merge reads those', async () => {
    for (const i of [1, 2]) {
      const r = await cli([
        'run',
        'steady.js',
        '--shard',
        `${i}/2`,
        '--raw-output',
        '--target',
        target.url,
        '--results-dir',
        `raw-artifacts/shard-${i}`,
        '--k6-path',
        testK6Path(),
        '--no-html-report',
        '--no-preflight',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const files = await readdir(path.join(dir, 'raw-artifacts', `shard-${i}`));
      expect(files).toContain(`k6-steady.shard-${i}-of-2.json.gz`);
      expect(files).not.toContain(`state-steady.shard-${i}-of-2.json`);
    }
    const merged = await cli(['merge', 'steady.js', '--from', 'raw-artifacts', '--results-dir', 'raw-merged', '--json']);
    expect(merged.stderr).toMatch(/merging 2 shard file\(s\) of steady/);
    const result = JSON.parse(merged.stdout) as GateResult;
    expect(result.scenarios[0].thresholds).toContainEqual({ metric: 'http_req_failed', expression: 'rate<0.01', ok: false });
  }, 120_000);

  it('merge without --from, shard with merge, and a bad shard are clear errors', async () => {
    expect((await cli(['merge', 'steady.js'])).stderr).toMatch(/merge needs --from DIR/);
    expect((await cli(['run', 'steady.js', '--shard', '4/3', '--target', target.url])).stderr).toMatch(
      /shard "4\/3": the index must be from 1 to 3/,
    );
    expect((await cli(['run', 'steady.js', '--shard', '1/3', '--from', 'x'])).stderr).toMatch(/both set/);
    const missing = await cli(['merge', 'steady.js', '--from', 'artifacts/shard-1', '--results-dir', 'merged-partial']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard\(s\) 2, 3 of 3 missing/);
  });

  it('operator-manifest prints the manifests of a TestRun', async () => {
    const r = await cli([
      'operator-manifest',
      'steady.js',
      '--name',
      'steady-load',
      '--parallelism',
      '3',
      '--env',
      'BASE_URL=http://web:8080',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kind: TestRun[\s\S]*parallelism: 3/);
    expect(r.stdout).toContain('subPathExpr: $(POD_NAME)');
    const bad = await cli(['operator-manifest', 'steady.js', '--name', 'steady-load']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--parallelism "" is not a positive whole number/);
  });
});
