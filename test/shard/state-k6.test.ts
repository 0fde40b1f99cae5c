// Three shards of one test with the real k6, each writing both a state file (its remote-write
// receiver's final state) and raw `--out json` samples; the state merge is checked against the
// raw-sample merge of the very same shards.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, readStat } from '../../src/k6/summary.js';
import type { RunSummary } from '../../src/model.js';
import { mergeScenarioForGate } from '../../src/shard/gate-files.js';
import { mergeShardResults } from '../../src/shard/merge.js';
import { shardArgs, shardRawFileName, shardStateFileName, shardSummaryFileName } from '../../src/shard/shard.js';
import { mergeStateFiles, startShardStateRun } from '../../src/shard/state-files.js';
import { recordingLogger } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { SCRIPT, runK6, startTarget, type Target } from './k6-fixtures.js';

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];
/** One bucket of k6's native histograms (schema 3), plus the 0.1 % the merged trend's own buckets add. */
const ONE_BUCKET = 2 ** (1 / 8) * 1.001;

describe('shard state files with the real k6', () => {
  let dir: string;
  let target: Target;
  const k6 = testK6Path();
  const shardsDir = () => path.join(dir, 'shards');
  const stateFiles = [1, 2, 3].map((i) => shardStateFileName('steady', { index: i, count: 3 }));
  const rawFiles = [1, 2, 3].map((i) => shardRawFileName('steady', { index: i, count: 3 }));
  const shardSummaries: RunSummary[] = [];
  const log = recordingLogger();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-state-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    await mkdir(shardsDir());
    target = await startTarget();
    // One after another: shards at once on a 2-core machine would measure CPU contention.
    for (const i of [1, 2, 3]) {
      const shard = { index: i, count: 3 };
      const env: Record<string, string> = { BASE_URL: target.url };
      const state = await startShardStateRun({
        scenario: 'steady',
        shard,
        resultsDir: shardsDir(),
        k6Version: '2.2.0',
        k6Args: [],
        env,
        log,
      });
      expect(state).toBeDefined();
      const summaryFile = path.join(shardsDir(), shardSummaryFileName('steady', shard));
      const r = await runK6(
        k6,
        [
          'run',
          '--quiet',
          ...shardArgs(i, 3),
          ...state!.args,
          '--summary-trend-stats',
          TREND_STATS.join(','),
          '--out',
          `json=${path.join(shardsDir(), rawFiles[i - 1])}`,
          '--summary-export',
          summaryFile,
          'script.js',
        ],
        dir,
        env,
      );
      expect([0, 99], r.output).toContain(r.code);
      const written = await state!.finish({ summaryFile });
      expect(written, log.text()).toEqual({ file: stateFiles[i - 1] });
      shardSummaries.push(parseSummary(await readFile(summaryFile, 'utf8'), summaryFile));
    }
  }, 120_000);

  afterAll(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('3 shards: merged counts equal the sum of the shards, p(95)/p(99) agree with the raw-sample merge within one bucket', async () => {
    const files = stateFiles.map((f) => path.join(shardsDir(), f));
    const { summary } = await mergeStateFiles({ files, trendStats: TREND_STATS, submetrics: ['http_req_duration{name:fast}'] });
    const raw = await mergeShardResults({
      files: rawFiles.map((f) => path.join(shardsDir(), f)),
      summaryFiles: [1, 2, 3].map((i) => path.join(shardsDir(), shardSummaryFileName('steady', { index: i, count: 3 }))),
      trendStats: TREND_STATS,
    });
    const sum = (metric: string, stat: string) => shardSummaries.reduce((s, x) => s + readStat(x, metric, stat)!, 0);
    for (const metric of ['http_reqs', 'iterations', 'data_received', 'data_sent']) {
      expect(readStat(summary, metric, 'count'), metric).toBe(sum(metric, 'count'));
      expect(readStat(summary, metric, 'count'), metric).toBe(readStat(raw.summary, metric, 'count'));
    }
    // The histogram counts are k6's pushed totals: every request of every shard, no more, no less.
    expect(readStat(summary, 'http_req_duration', 'count')).toBe(sum('http_reqs', 'count'));
    expect(readStat(summary, 'http_req_duration', 'count')).toBe(readStat(raw.summary, 'http_req_duration', 'count'));
    expect(readStat(summary, 'http_req_duration', 'avg')).toBeCloseTo(readStat(raw.summary, 'http_req_duration', 'avg')!, 6);
    expect(summary.metrics.http_req_failed.values).toEqual(raw.summary.metrics.http_req_failed.values);
    expect(summary.checks.map((c) => [c.name, c.passes, c.fails])).toEqual(raw.summary.checks.map((c) => [c.name, c.passes, c.fails]));
    expect(readStat(summary, 'vus_max', 'value')).toBe(sum('vus_max', 'value'));
    for (const metric of ['http_req_duration', 'http_req_duration{name:fast}', 'iteration_duration']) {
      for (const stat of ['med', 'p(90)', 'p(95)', 'p(99)']) {
        const fromState = readStat(summary, metric, stat)!;
        const fromRaw = readStat(raw.summary, metric, stat)!;
        expect(fromState / fromRaw, `${metric} ${stat}: state ${fromState} vs raw ${fromRaw}`).toBeLessThanOrEqual(ONE_BUCKET);
        expect(fromRaw / fromState, `${metric} ${stat}: state ${fromState} vs raw ${fromRaw}`).toBeLessThanOrEqual(ONE_BUCKET);
      }
      // k6's own min and max: exact, from the shards' summaries.
      expect(readStat(summary, metric, 'min')).toBeCloseTo(readStat(raw.summary, metric, 'min')!, 6);
      expect(readStat(summary, metric, 'max')).toBeCloseTo(readStat(raw.summary, metric, 'max')!, 6);
    }
    // The thresholds of the whole test, evaluated on the merged state, say what the raw merge says.
    const verdicts = (s: RunSummary) => Object.fromEntries(s.thresholds.map((t) => [`${t.metric} ${t.expression}`, t.ok]));
    expect(verdicts(summary)).toEqual(verdicts(raw.summary));
    expect(verdicts(summary)).toMatchObject({ 'http_reqs count>10': true, 'http_req_failed rate<0.01': false });
    // What a shard ships: a state file grows with series × buckets, raw samples with requests (here only 90).
    const sizes = await Promise.all(
      [...files, ...rawFiles.map((f) => path.join(shardsDir(), f))].map(async (f) => (await readFile(f)).length),
    );
    console.info(`state files ${sizes.slice(0, 3).join(', ')} bytes; raw samples (gzip) ${sizes.slice(3).join(', ')} bytes`);
  });

  it('a missing shard, a duplicated shard and a broken or old state file stop the merge with a message naming them', async () => {
    const merge = (from: string) =>
      mergeScenarioForGate({ dir: from, scenario: 'steady', resultsDir: dir, watch: [], trendStats: TREND_STATS, log: recordingLogger() });
    const only = async (name: string, files: string[], edit?: (text: string) => string) => {
      const folder = path.join(dir, name);
      await mkdir(folder, { recursive: true });
      for (const [n, file] of files.entries()) {
        const text = await readFile(path.join(shardsDir(), file), 'utf8');
        await mkdir(path.join(folder, String(n)), { recursive: true });
        await writeFile(path.join(folder, String(n), file), edit && n === 0 ? edit(text) : text);
      }
      return folder;
    };
    await expect(merge(await only('missing', [stateFiles[0], stateFiles[2]]))).rejects.toThrow(
      /shard\(s\) 2 of 3 missing; found 1, 3\. Did a shard job fail or its artifact expire\?/,
    );
    const twice = await only('twice', stateFiles);
    await mkdir(path.join(twice, 'again'));
    await copyFile(path.join(shardsDir(), stateFiles[1]), path.join(twice, 'again', stateFiles[1]));
    await expect(merge(twice)).rejects.toThrow(
      /shard 2 of 3 appears twice \(.*state-steady\.shard-2-of-3\.json and .*state-steady\.shard-2-of-3\.json\)/,
    );
    await expect(merge(await only('garbage', stateFiles, () => 'PK\u0003\u0004 not json'))).rejects.toThrow(
      /state-steady\.shard-1-of-3\.json is not JSON .*; expected a k6-gate shard state file/,
    );
    await expect(merge(await only('old', stateFiles, (text) => text.replace('"version": 1', '"version": 0')))).rejects.toThrow(
      /state-steady\.shard-1-of-3\.json is a shard state file of version 0; this k6-gate reads version 1/,
    );
  });
});
