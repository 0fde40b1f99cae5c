import { describe, expect, it } from 'vitest';
import { executorModelOf } from '../../src/k6/inspect.js';
import { judgeLoadGenerator, startLoadSampler } from '../../src/k6/load-health.js';
import type { RunSummary } from '../../src/model.js';

const summary = (dropped?: number): RunSummary => ({
  format: 'legacy',
  metrics:
    dropped === undefined
      ? {}
      : { dropped_iterations: { name: 'dropped_iterations', type: 'counter', contains: 'default', values: { count: dropped, rate: 1 } } },
  thresholds: [],
  checks: [],
});

describe('load-generator health', () => {
  it('warns about dropped iterations and says to raise the VUs of the arrival-rate executor', () => {
    const health = judgeLoadGenerator(summary(12), undefined);
    expect(health.droppedIterations).toBe(12);
    expect(health.warnings).toEqual([
      expect.stringMatching(/^k6 dropped 12 iterations: .* Raise preAllocatedVUs\/maxVUs or lower the rate\.$/),
    ]);
  });

  it('warns when k6 used nearly all the cores it may use, when the CPU was contended and when the VM lost CPU to steal', () => {
    const health = judgeLoadGenerator(summary(), {
      wallMs: 2000,
      cores: 2,
      k6CpuAvgCores: 1.7,
      k6CpuPeakCores: 1.93,
      cpuPressurePercent: 35,
      stealPercent: 7,
    });
    expect(health).toMatchObject({ k6CpuPeakCores: 1.93, k6CpuAvgCores: 1.7, cores: 2, cpuPressurePercent: 35, stealPercent: 7 });
    expect(health.warnings.join('\n')).toMatch(/k6 itself used 1\.93 of the 2 core\(s\) it may use: the load generator was saturated/);
    expect(health.warnings.join('\n')).toMatch(/CPU was contended 35 % of the run \(PSI\)/);
    expect(health.warnings.join('\n')).toMatch(/hypervisor stole 7 % of the CPU/);
  });

  it("warns when an arrival-rate executor ran out of VUs, from k6's own log line", () => {
    const log =
      'time="2026-11-25T23:00:01Z" level=warning msg="Insufficient VUs, reached 80 active VUs and cannot initialize more" executor=constant-arrival-rate scenario=open';
    const health = judgeLoadGenerator(summary(40), undefined, log);
    expect(health.vusMaxedOut).toBe(80);
    expect(health.warnings[0]).toMatch(
      /^an arrival-rate executor reached its maxVUs \(80 active VUs\) .* Raise maxVUs \(or preAllocatedVUs\)\.$/,
    );
  });

  it('names the executor model of inspected options: open, closed or mixed', () => {
    expect(executorModelOf({ scenarios: null })).toBe('closed');
    expect(executorModelOf({ scenarios: { a: { executor: 'ramping-arrival-rate' }, b: { executor: 'constant-arrival-rate' } } })).toBe(
      'open',
    );
    expect(executorModelOf({ scenarios: { a: { executor: 'constant-arrival-rate' }, b: { executor: 'ramping-vus' } } })).toBe('mixed');
  });

  it('stays quiet on a healthy run', () => {
    expect(
      judgeLoadGenerator(summary(0), { wallMs: 2000, cores: 2, k6CpuPeakCores: 0.4, cpuPressurePercent: 2, stealPercent: 0 }).warnings,
    ).toEqual([]);
  });

  it('samples the CPU time of a process from /proc while it runs', async () => {
    const sampler = startLoadSampler({ intervalMs: 50, gomaxprocs: '1' });
    sampler.watch(process.pid);
    const until = Date.now() + 1200;
    while (Date.now() < until) Math.sqrt(Math.random()); // this process busy for ~1.2 s
    await new Promise((r) => setTimeout(r, 120));
    const samples = sampler.stop();
    expect(samples.cores).toBe(1);
    expect(samples.k6CpuAvgCores).toBeGreaterThan(0.1);
    expect(samples.cpuPressurePercent).toBeGreaterThanOrEqual(0);
  });
});
