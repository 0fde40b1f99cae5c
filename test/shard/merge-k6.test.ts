// The same scenario run once whole and once as 3 shards with the real k6, then merged.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testK6Path } from '../helpers/k6.js';
import { parseSummary, readStat } from '../../src/k6/summary.js';
import type { RunSummary } from '../../src/model.js';
import { findShardFiles, mergeShardDir, mergeShardResults } from '../../src/shard/merge.js';
import { shardArgs, shardRawFileName, shardSummaryFileName } from '../../src/shard/shard.js';
import { DEFAULT_RELATIVE_ERROR } from '../../src/samples/histogram.js';
import { SCRIPT, runK6, startTarget, type Target } from './k6-fixtures.js';

/** Every http_req_duration sample of k6 --out json files (gzip), sorted. */
async function pooledDurations(files: string[]): Promise<number[]> {
  const values: number[] = [];
  for (const file of files) {
    for (const line of gunzipSync(await readFile(file))
      .toString('utf8')
      .split('\n')) {
      if (!line.includes('"http_req_duration"')) continue;
      const entry = JSON.parse(line);
      if (entry.type === 'Point' && entry.metric === 'http_req_duration') values.push(entry.data.value);
    }
  }
  return values.sort((a, b) => a - b);
}

/** k6's percentile of sorted values: linear between the two nearest ranks of p·(n − 1). */
function k6Percentile(sorted: number[], p: number): number {
  const i = p * (sorted.length - 1);
  const low = sorted[Math.floor(i)];
  return low + (sorted[Math.ceil(i)] - low) * (i - Math.floor(i));
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

describe('sharded run with the real k6', () => {
  let dir: string;
  let target: Target;
  const k6 = testK6Path();
  const singles: { summary: RunSummary; raw: string }[] = [];
  const shardSummaries: RunSummary[] = [];

  async function runSingle(n: number): Promise<void> {
    const raw = path.join(dir, 'single', `k6-whole-${n}.json.gz`);
    const exported = path.join(dir, 'single', `summary-${n}.json`);
    const { code, output } = await runK6(
      k6,
      ['run', '--quiet', '--summary-trend-stats', TREND_STATS.join(','), '--out', `json=${raw}`, '--summary-export', exported, 'script.js'],
      dir,
      { BASE_URL: target.url },
    );
    // 99: the script's thresholds are crossed on purpose (http_req_failed, max<1).
    expect(code, output).toBe(99);
    singles.push({ summary: parseSummary(await readFile(exported, 'utf8'), exported), raw });
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-shard-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    await mkdir(path.join(dir, 'single'));
    await mkdir(path.join(dir, 'shards'));
    target = await startTarget();
    // Sequential, interleaved with the two whole runs: shards running at once on a 2-core machine
    // would measure CPU contention, not the merge. Shards of a CI matrix run on separate machines.
    await runSingle(1);
    for (const i of [1, 2, 3]) {
      const shard = { index: i, count: 3 };
      const r = await runK6(
        k6,
        [
          'run',
          '--quiet',
          ...shardArgs(i, 3),
          '--summary-trend-stats',
          TREND_STATS.join(','),
          '--out',
          `json=${path.join(dir, 'shards', shardRawFileName('steady', shard))}`,
          '--summary-export',
          path.join(dir, 'shards', shardSummaryFileName('steady', shard)),
          'script.js',
        ],
        dir,
        { BASE_URL: target.url },
      );
      expect([0, 99], r.output).toContain(r.code);
      const file = path.join(dir, 'shards', shardSummaryFileName('steady', shard));
      shardSummaries.push(parseSummary(await readFile(file, 'utf8'), file));
    }
    await runSingle(2);
  }, 120_000);

  afterAll(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('merging one whole run reproduces k6 own summary: exact counts, percentiles and checks', async () => {
    const { summary: k6Summary, raw } = singles[0];
    const { summary, percentiles } = await mergeShardResults({ files: [raw], trendStats: TREND_STATS });
    expect(percentiles).toBe('exact');
    for (const metric of [
      'http_req_duration',
      'http_req_duration{name:fast}',
      'http_req_duration{expected_response:true}',
      'iteration_duration',
    ]) {
      for (const stat of ['count', 'min', 'max', 'med', 'p(90)', 'p(95)', 'p(99)']) {
        expect(readStat(summary, metric, stat), `${metric} ${stat}`).toBeCloseTo(readStat(k6Summary, metric, stat)!, 6);
      }
      expect(readStat(summary, metric, 'avg')).toBeCloseTo(readStat(k6Summary, metric, 'avg')!, 6);
    }
    expect(readStat(summary, 'http_reqs', 'count')).toBe(readStat(k6Summary, 'http_reqs', 'count'));
    expect(readStat(summary, 'data_received', 'count')).toBe(readStat(k6Summary, 'data_received', 'count'));
    expect(summary.metrics.http_req_failed.values).toMatchObject({
      passes: k6Summary.metrics.http_req_failed.values.passes,
      fails: k6Summary.metrics.http_req_failed.values.fails,
    });
    // The rate uses the first-to-last-sample span, a little shorter than k6's run duration.
    const k6Rate = readStat(k6Summary, 'http_reqs', 'rate')!;
    expect(readStat(summary, 'http_reqs', 'rate')!).toBeGreaterThanOrEqual(k6Rate * 0.98);
    expect(readStat(summary, 'http_reqs', 'rate')!).toBeLessThan(k6Rate * 1.15);
    expect(summary.checks).toEqual([
      expect.objectContaining({
        name: 'status is 200',
        path: '::status is 200',
        passes: k6Summary.checks[0].passes,
        fails: k6Summary.checks[0].fails,
      }),
    ]);
  });

  it('re-evaluates thresholds like k6 did, including one on a submetric taken from the summary export', async () => {
    const { summary: k6Summary, raw } = singles[0];
    const exported = raw.replace(/k6-whole-(\d)\.json\.gz$/, 'summary-$1.json');
    const { summary } = await mergeShardResults({ files: [raw], summaryFiles: [exported] });
    const key = (t: { metric: string; expression: string }) => `${t.metric} ${t.expression}`;
    const sort = (list: { metric: string; expression: string; ok: boolean }[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(summary.thresholds)).toEqual(sort(k6Summary.thresholds));
    expect(summary.thresholds.find((t) => t.expression === 'rate<0.01')?.ok).toBe(false);
    expect(summary.thresholds.find((t) => t.metric === 'http_req_duration{name:fast}' && t.expression === 'max<1')?.ok).toBe(false);
  });

  it('3 merged shards: request count equals the sum of the shards and the percentiles are those of all their samples pooled', async () => {
    const shardsDir = path.join(dir, 'shards');
    const files = await findShardFiles(shardsDir, 'steady');
    expect(files.map((f) => path.basename(f))).toEqual([1, 2, 3].map((i) => shardRawFileName('steady', { index: i, count: 3 })));
    const { summary, samples } = await mergeShardDir({ dir: shardsDir, scenario: 'steady', trendStats: TREND_STATS });
    expect(samples).toBeGreaterThan(0);

    const sum = (metric: string, stat: string) => shardSummaries.reduce((s, x) => s + readStat(x, metric, stat)!, 0);
    expect(readStat(summary, 'http_reqs', 'count')).toBe(sum('http_reqs', 'count'));
    expect(readStat(summary, 'http_req_duration', 'count')).toBe(sum('http_req_duration', 'count'));
    expect(readStat(summary, 'iterations', 'count')).toBe(sum('iterations', 'count'));
    expect(summary.checks[0].passes + summary.checks[0].fails).toBe(
      shardSummaries.reduce((s, x) => s + x.checks[0].passes + x.checks[0].fails, 0),
    );
    // Each shard ran a third of the arrival rate: the whole test's iterations match one whole run's.
    // Counted as started + dropped (k6's dropped_iterations): on a busy machine an arrival-rate
    // executor may find no free VU and drop some, in either run; the two together are the plan.
    const singleCount = readStat(singles[0].summary, 'http_reqs', 'count')!;
    const planned = (s: RunSummary) => readStat(s, 'http_reqs', 'count')! + (readStat(s, 'dropped_iterations', 'count') ?? 0);
    expect(Math.abs(planned(summary) - planned(singles[0].summary))).toBeLessThanOrEqual(3);
    // …and so does the rate: the shards ran one after another, so a duration from the first to the
    // last sample of all files would be three times too long.
    const singleRate = readStat(singles[0].summary, 'http_reqs', 'rate')!;
    expect(readStat(summary, 'http_reqs', 'rate')! / singleRate).toBeGreaterThan(0.85);
    expect(readStat(summary, 'http_reqs', 'rate')! / singleRate).toBeLessThan(1.2);
    // vus_max is per instance: the whole test had the sum of the shards' pre-allocated VUs.
    expect(readStat(summary, 'vus_max', 'value')).toBe(sum('vus_max', 'value'));

    console.info(
      `whole runs vs 3 merged shards: http_reqs ${singleCount}/${readStat(singles[1].summary, 'http_reqs', 'count')} vs ${readStat(summary, 'http_reqs', 'count')}; ` +
        `rate ${singleRate.toFixed(2)} vs ${readStat(summary, 'http_reqs', 'rate')!.toFixed(2)}/s; ` +
        ['p(95)', 'p(99)']
          .map(
            (stat) =>
              `${stat} ${readStat(singles[0].summary, 'http_req_duration', stat)!.toFixed(2)}/${readStat(singles[1].summary, 'http_req_duration', stat)!.toFixed(2)} vs ${readStat(summary, 'http_req_duration', stat)!.toFixed(2)} ms`,
          )
          .join('; '),
    );
    // The merged percentiles are those of every sample of the three shards, pooled: computed here
    // from the raw files the way k6 computes a percentile. (Comparing with a whole run instead would
    // measure the machine: on a busy one, runs minutes apart differ by more than any merge error.)
    const pooled = await pooledDurations(files);
    expect(pooled.length).toBe(readStat(summary, 'http_req_duration', 'count'));
    for (const stat of ['p(90)', 'p(95)', 'p(99)', 'med']) {
      const p = stat === 'med' ? 0.5 : Number(/\d+/.exec(stat)![0]) / 100;
      const exact = k6Percentile(pooled, p);
      const merged = readStat(summary, 'http_req_duration', stat)!;
      expect(Math.abs(merged - exact), `${stat}: merged ${merged} vs pooled samples ${exact}`).toBeLessThanOrEqual(
        exact * DEFAULT_RELATIVE_ERROR + 1e-9,
      );
    }

    // Thresholds are evaluated on the merged data; crossed ones show ok:false.
    const byKey = Object.fromEntries(summary.thresholds.map((t) => [`${t.metric} ${t.expression}`, t.ok]));
    expect(byKey).toEqual({
      'http_reqs count>10': true,
      'http_req_failed rate<0.01': false,
      'http_req_duration{name:fast} p(95)<2000': true,
      'http_req_duration{name:fast} max<1': false,
      'checks rate>0.5': true,
    });
  });
});
