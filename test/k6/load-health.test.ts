import { describe, expect, it } from 'vitest';
import { executorModelOf } from '../../src/k6/inspect.js';
import { spawn } from 'node:child_process';
import {
  cpuWaitMs,
  cpuWaitPercent,
  judgeLoadGenerator,
  k6Starved,
  K6_CPU_WAIT_LIMIT_MS,
  startCpuWaitMeter,
  startLoadSampler,
} from '../../src/k6/load-health.js';
import type { RunSummary } from '../../src/model.js';

const summary = (dropped?: number, iterations?: number): RunSummary => ({
  format: 'legacy',
  metrics: {
    ...(dropped === undefined
      ? {}
      : { dropped_iterations: { name: 'dropped_iterations', type: 'counter', contains: 'default', values: { count: dropped, rate: 1 } } }),
    ...(iterations === undefined
      ? {}
      : { iterations: { name: 'iterations', type: 'counter', contains: 'default', values: { count: iterations, rate: 1 } } }),
  },
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

describe('load-generator health: when its numbers cannot decide', () => {
  const ms = 1e6;
  it('k6 waiting at least the limit for a CPU each time it had work is starved: the reason says the figures and what to do', () => {
    // 29 ms a wakeup, 99.6 % of the wanted time waiting: k6 at nice 19 next to two burners (docs/verdicts.md).
    const starved = { runNs: 164 * ms, waitNs: 41_876 * ms, slices: 1453 };
    expect(cpuWaitMs(starved)).toBeCloseTo(28.82, 2);
    expect(cpuWaitPercent(starved)).toBeCloseTo(99.61, 2);
    expect(k6Starved(starved)).toBe(
      "k6 waited 28.8 ms on average for a CPU each time it had work (limit 10 ms; 99.6 % of the time it wanted a CPU): its timings include its own waiting. Run on a quieter runner, with fewer parallel jobs, and without lowering k6's priority",
    );
    // Busy but fine: the same machine at load 20 with two burners at k6's own priority, 0.55 ms a wakeup
    // even though 90 % of the time k6's threads wanted a CPU they waited (Go's idle threads spin).
    expect(k6Starved({ runNs: 862 * ms, waitNs: 7_638 * ms, slices: 14_012 })).toBeUndefined();
    expect(k6Starved({ runNs: 1, waitNs: (K6_CPU_WAIT_LIMIT_MS - 0.01) * ms, slices: 1 })).toBeUndefined();
    expect(k6Starved(undefined)).toBeUndefined();
  });

  it('judges the sampled wait into the health figures and makes a starved run untrustworthy', () => {
    const health = judgeLoadGenerator(summary(0, 900), {
      wallMs: 3000,
      cores: 2,
      k6CpuWait: { runNs: 164 * ms, waitNs: 41_876 * ms, slices: 1453 },
    });
    expect(health).toMatchObject({ k6CpuWaitPercent: 99.6, k6CpuWaitMs: 28.82 });
    expect(health.untrustworthy).toEqual([expect.stringMatching(/^k6 waited 28\.8 ms on average for a CPU/)]);
  });

  it('dropped iterations above 5 % of the planned ones: the load was not delivered; at or below, only a warning', () => {
    expect(judgeLoadGenerator(summary(12, 900), undefined).untrustworthy).toBeUndefined();
    expect(judgeLoadGenerator(summary(50, 950), undefined).untrustworthy).toBeUndefined();
    expect(judgeLoadGenerator(summary(120, 880), undefined).untrustworthy).toEqual([
      'k6 dropped 120 of 1000 planned iterations (12 %, limit 5 %): the target got less load than the test asks for. Raise preAllocatedVUs/maxVUs, or lower the rate',
    ]);
  });

  it.skipIf(process.platform !== 'linux')(
    'sums the run and wait time of every thread of a watched process from /proc schedstat',
    async () => {
      const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end) Math.sqrt(Math.random());'], {
        stdio: 'ignore',
      });
      const meter = startCpuWaitMeter({ intervalMs: 50 });
      meter.watch(busy.pid!);
      await new Promise((resolve) => busy.on('exit', resolve));
      const wait = meter.stop();
      // Node's threads ran ~1.5 s of CPU between them (less when the machine is busy, never nothing).
      expect(wait!.runNs).toBeGreaterThan(0.1e9);
      expect(wait!.slices).toBeGreaterThan(0);
      expect(wait!.waitNs).toBeGreaterThanOrEqual(0);
    },
  );
});
