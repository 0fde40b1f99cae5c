// The shard's state receiver without k6: pushes a real k6 2.2.0 made (test/data/remote-write/).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShardState } from '../../src/shard/state.js';
import { startShardStateRun } from '../../src/shard/state-files.js';
import { recordingLogger } from '../helpers/gate.js';

const DATA = path.join(import.meta.dirname, '../data/remote-write');
const pushes = [1, 2, 3, 4].map((n) => readFileSync(path.join(DATA, `push-${n}.bin`)));

describe('shard state receiver', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-state-files-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function receive(resultsDir: string, bodies: Buffer[]) {
    const env: Record<string, string> = {};
    const log = recordingLogger();
    const run = await startShardStateRun({
      scenario: 'smoke',
      shard: { index: 2, count: 3 },
      resultsDir,
      k6Version: '2.2.0',
      k6Args: [],
      env,
      log,
    });
    const url = env.K6_PROMETHEUS_RW_SERVER_URL;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write$/);
    for (const body of bodies) await fetch(url, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Encoding': 'snappy' } });
    return run!.finish({ summaryFile: path.join(DATA, 'summary.json') });
  }

  it("writes the shard's state from k6's pushes and summary: its segment, the series and k6's exact numbers", async () => {
    expect(await receive(dir, pushes)).toEqual({ file: 'state-smoke.shard-2-of-3.json' });
    const state = await parseShardState(await readFile(path.join(dir, 'state-smoke.shard-2-of-3.json'), 'utf8'), 'state');
    expect(state).toMatchObject({ shard: { index: 2, count: 3 }, segment: '1/3:2/3', sequence: '0,1/3,2/3,1', k6Version: '2.2.0' });
    const recorded = JSON.parse(readFileSync(path.join(DATA, 'summary.json'), 'utf8'));
    expect(state.metrics.http_reqs.values.count).toBe(recorded.metrics.http_reqs.count);
    const requests = state.series.filter((s) => s.metric === 'http_req_duration').reduce((n, s) => n + s.histogram!.count, 0);
    expect(requests).toBe(recorded.metrics.http_reqs.count);
  });

  it('a shard whose k6 pushed nothing, or whose state cannot be written, says so instead of leaving a file', async () => {
    expect(await receive(dir, [])).toEqual({ problem: "no state file written: k6 pushed no metrics to the shard's remote-write receiver" });
    expect(await receive(path.join(dir, 'gone'), pushes)).toEqual({
      problem: expect.stringMatching(/^could not write the shard state state-smoke\.shard-2-of-3\.json: ENOENT/),
    });
  });

  it("writes raw samples instead when k6's remote-write output is already the user's, and says why", async () => {
    const log = recordingLogger();
    const env: Record<string, string> = {};
    const run = await startShardStateRun({
      scenario: 'smoke',
      shard: { index: 1, count: 2 },
      resultsDir: dir,
      k6Version: '2.2.0',
      metricsOutputs: [{ kind: 'prometheus', target: 'http://prometheus.example/api/v1/write' }],
      k6Args: [],
      env,
      log,
    });
    expect(run).toBeUndefined();
    expect(env).toEqual({});
    expect(log.text()).toContain('shard 1/2 writes raw samples instead of a state file (metrics-output sends to Prometheus)');
  });
});
