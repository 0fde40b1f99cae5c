// The duet runner with the real k6 and two demo targets on loopback: equal sides, a clear
// slowdown, a side that is down, a k6 that dies, a max-duration below one block.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cancellation } from '../../../src/cancel.js';
import { startDemoTarget, type DemoTarget } from '../../../demo/target.js';
import { DuetError, runDuet, type DuetRunOptions } from '../../../src/verdict/duet/run.js';
import { duetTestScript, startDuetTargets } from '../../helpers/duet.js';
import { recordingLogger, tempWorkspace } from '../../helpers/gate.js';
import { TEST_K6_VERSION, testK6Path } from '../../helpers/k6.js';

const SCRIPT = duetTestScript();

let base: DemoTarget;
let candidate: DemoTarget;
beforeAll(async () => {
  ({ base, candidate } = await startDuetTargets());
});
afterAll(async () => {
  await base.close();
  await candidate.close();
});

async function duet(over: Partial<DuetRunOptions> = {}) {
  const ws = await tempWorkspace('k6-gate-duet-');
  const script = path.join(ws, 'duet.js');
  await writeFile(script, SCRIPT);
  const log = recordingLogger();
  const result = await runDuet({
    k6Path: testK6Path(),
    k6Version: TEST_K6_VERSION,
    script,
    scenario: 'duet',
    resultsDir: ws,
    targets: { A: base.url, B: candidate.url },
    env: {},
    secrets: [],
    log,
    blockMs: 12_000,
    maxDurationMs: 24_000,
    preflightTimeoutMs: 2000,
    stats: [
      { metric: 'http_req_duration', stat: 'p(95)' },
      { metric: 'http_req_duration', stat: 'med' },
      { metric: 'http_req_failed', stat: 'rate' },
    ],
    ...over,
  });
  return { result, log, ws };
}

describe('duet runner with a real k6', () => {
  it('equal sides: equivalent (or, on a machine too busy to tell, inconclusive), never a change', async () => {
    const { result, log } = await duet();
    console.log(
      `equal: ${result.outcome} after ${result.looks.length} look(s): ${result.reason}; ${JSON.stringify(result.looks.at(-1)?.stats.map((s) => [s.id, s.verdict, s.change, s.interval, s.windows]))}`,
    );
    expect(['equivalent', 'inconclusive']).toContain(result.outcome);
    expect(result.runs.map((r) => `${r.block}${r.half}${r.side}`).slice(0, 4)).toEqual(['11A', '11B', '12B', '12A']);
    expect(result.runs.every((r) => r.result.stoppedBy !== undefined)).toBe(true);
    expect(log.text()).toMatch(/duet look 1 of 2 \(12 s of k6 per side\)/);
  });

  it('B 30 % slower: regressed at the first block', async () => {
    candidate.setKnobs({ slowdown: 0.3 });
    try {
      const { result } = await duet();
      console.log(
        `+30 %: ${result.outcome}: ${JSON.stringify(result.looks.map((l) => l.stats.map((s) => [s.id, s.verdict, s.change, s.interval, s.p])))}`,
      );
      expect(result.outcome).toBe('regressed');
      expect(result.looks).toHaveLength(1);
      // Which latency statistic gets there first depends on the machine (p(95) of one second's
      // requests is the noisier one); what is called is B worse by about the slowdown, nothing better.
      const regressed = result.looks[0].stats.filter((s) => s.verdict === 'regressed');
      expect(regressed.length).toBeGreaterThan(0);
      for (const s of regressed) expect(s.change).toBeGreaterThan(0.15);
      expect(result.looks[0].stats.some((s) => s.verdict === 'improved')).toBe(false);
      expect(result.reason).toMatch(/^B is worse than A on http_req_duration/);
    } finally {
      candidate.setKnobs({ slowdown: 0 });
    }
  });

  it('a side that is down is an error naming it, and no k6 starts', async () => {
    const down = await startDemoTarget({ port: 0 });
    const url = down.url;
    await down.close();
    const { result } = await duet({ targets: { A: url, B: candidate.url } });
    expect(result.outcome).toBe('error');
    expect(result.side).toBe('A');
    expect(result.error).toMatch(/^A \(baseline-target\) is not answering/);
    expect(result.k6Runs).toBe(0);
  });

  it('a side failing every request during a block is an error naming it, not a verdict', async () => {
    candidate.setKnobs({ errorRate: 1 });
    try {
      const { result } = await duet({ health: { A: `${base.url}/health`, B: `${candidate.url}/health` } });
      expect(result.outcome).toBe('error');
      expect(result.side).toBe('B');
      expect(result.error).toMatch(/^B \(target\) failed all \d+ of its requests in block 1: is it down\?$/);
      expect(result.looks).toHaveLength(0);
    } finally {
      candidate.setKnobs({ errorRate: 0 });
    }
  });

  it('a k6 that dies is an error naming its side; the other k6 is stopped and both keep their files', async () => {
    const { result, ws } = await duet({ env: { DIE_ON: candidate.url } });
    expect(result.outcome).toBe('error');
    expect(result.side).toBe('B');
    expect(result.error).toMatch(
      /^k6 against B \(target\) ended after .* before its half of 6 s was over: the script called test.abort\(\); the other k6 was stopped/,
    );
    const other = result.runs.find((r) => r.side === 'A')!;
    expect(other.result.stoppedBy).toBe('k6 against B (target) ended');
    expect(other.result.wallMs).toBeLessThan(6000);
    const files = await readdir(ws);
    expect(files).toEqual(expect.arrayContaining(['k6-duet-duet-1a-A.log', 'k6-duet-duet-1a-B.log']));
  });

  it('a stop request (Ctrl-C, job cancel) stops both k6 and keeps their files', async () => {
    const cancellation = new Cancellation();
    setTimeout(() => cancellation.request('SIGINT'), 3000);
    const { result, ws } = await duet({ cancellation });
    expect(result.outcome).toBe('error');
    expect(result.cancelled).toBe('SIGINT');
    expect(result.error).toBe('stopped by SIGINT during block 1');
    expect(result.runs.map((r) => [r.side, r.result.cancelled])).toEqual([
      ['A', 'SIGINT'],
      ['B', 'SIGINT'],
    ]);
    expect(await readdir(ws)).toEqual(expect.arrayContaining(['k6-duet-duet-1a-A.log', 'k6-duet-duet-1a-B.log']));
  });

  it('max-duration below one block is refused before anything starts', async () => {
    await expect(duet({ maxDurationMs: 10_000 })).rejects.toThrow(DuetError);
    await expect(duet({ maxDurationMs: 10_000 })).rejects.toThrow(
      /max-duration 10 s is shorter than one duet block \(12 s\); expected at least 12 s/,
    );
  });
});
