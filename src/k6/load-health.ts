// Load-generator health: is the load generator itself the bottleneck, or too starved to trust? Samples,
// while k6 runs, the k6 process's CPU (/proc/<pid>/stat), how long its threads waited for a CPU
// (/proc/<pid>/task/*/schedstat), the runner's CPU pressure (Linux PSI, /proc/pressure/cpu) and steal
// time (/proc/stat); `judgeLoadGenerator` turns the figures and k6's own counters (dropped_iterations)
// into warnings that say what to change, and into the reasons the run's numbers cannot decide a
// verdict (a k6 starved of CPU, load not delivered: docs/verdicts.md, "When the load generator
// cannot be trusted"). Off Linux the /proc figures are simply absent.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadGeneratorHealth, RunSummary } from '../model.js';
import type { ExecutorModel } from './inspect.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux k6 runs on). */
const USER_HZ = 100;

interface Reading {
  at: number;
  k6Ticks?: number;
  pressureUs?: number;
  steal?: number;
  total?: number;
}

export interface LoadSamples {
  wallMs: number;
  k6CpuAvgCores?: number;
  /** Highest CPU use over any ~1 s window. */
  k6CpuPeakCores?: number;
  /** The cores k6 may use: the machine's, or fewer when GOMAXPROCS says so. */
  cores: number;
  /** % of the run's wall time some task waited for a CPU (PSI "some"). */
  cpuPressurePercent?: number;
  stealPercent?: number;
  /** k6's threads: CPU time they ran and time they waited, runnable, for a CPU (schedstat). */
  k6CpuWait?: CpuWait;
}

/** Time a set of processes' threads ran on a CPU and waited on a run queue for one, in ns. */
export interface CpuWait {
  runNs: number;
  waitNs: number;
  /** Times a thread was put on a CPU (each wait for a CPU ends in one). */
  slices: number;
}

/** The share of the time k6 wanted a CPU that it spent waiting for one, in %. */
export function cpuWaitPercent(wait: CpuWait): number | undefined {
  const wanted = wait.runNs + wait.waitNs;
  return wanted > 0 ? (wait.waitNs / wanted) * 100 : undefined;
}

/**
 * Run and wait time of every thread of the watched processes (Linux `/proc/<pid>/task/<tid>/schedstat`:
 * ns on a CPU, ns runnable on a run queue, timeslices). Each thread's counters start at 0 when it
 * starts, so the sum of the last reading of every thread seen is the process's total, short of what
 * a thread did between its last reading and its exit. Watch a process right after it is spawned.
 */
export function startCpuWaitMeter(options: { intervalMs?: number } = {}) {
  const pids = new Set<number>();
  const threads = new Map<string, CpuWait>();
  const sample = () => {
    for (const pid of pids) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue; // exited: its last readings stay
      }
      for (const tid of tids) {
        try {
          const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
          if (Number.isFinite(run) && Number.isFinite(wait))
            threads.set(`${pid}/${tid}`, { runNs: run, waitNs: wait, slices: slices || 0 });
        } catch {
          // the thread ended between the listing and the read
        }
      }
    }
  };
  const timer = setInterval(sample, options.intervalMs ?? 250);
  timer.unref();
  return {
    /** Adds a process (k6 just spawned) and reads it at once. */
    watch(pid: number) {
      pids.add(pid);
      sample();
    },
    /** The sums so far; undefined when nothing could be read (not Linux, no schedstat). */
    read(): CpuWait | undefined {
      sample();
      if (threads.size === 0) return undefined;
      const sum: CpuWait = { runNs: 0, waitNs: 0, slices: 0 };
      for (const t of threads.values()) {
        sum.runNs += t.runNs;
        sum.waitNs += t.waitNs;
        sum.slices += t.slices;
      }
      return sum;
    },
    stop(): CpuWait | undefined {
      clearInterval(timer);
      return this.read();
    },
  };
}

function readK6Ticks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing ")".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

function readPressureUs(): number | undefined {
  try {
    const some = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? Number(some[1]) : undefined;
  } catch {
    return undefined;
  }
}

function readStat(): { steal: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return { steal: cpu[7] ?? 0, total: cpu.slice(0, 8).reduce((s, n) => s + n, 0) };
  } catch {
    return undefined;
  }
}

/** Starts sampling; call `watch(pid)` once k6 runs, `stop()` once it exited. */
export function startLoadSampler(options: { intervalMs?: number; gomaxprocs?: string } = {}) {
  let pid: number | undefined;
  const readings: Reading[] = [];
  const take = () => {
    const stat = readStat();
    readings.push({
      at: Date.now(),
      k6Ticks: pid !== undefined ? readK6Ticks(pid) : undefined,
      pressureUs: readPressureUs(),
      steal: stat?.steal,
      total: stat?.total,
    });
  };
  const timer = setInterval(take, options.intervalMs ?? 250);
  timer.unref();
  const waits = startCpuWaitMeter({ intervalMs: options.intervalMs });
  const machineCores = os.availableParallelism();
  const limit = Number(options.gomaxprocs);
  const cores = Number.isInteger(limit) && limit > 0 ? Math.min(limit, machineCores) : machineCores;
  return {
    watch(k6Pid: number) {
      pid = k6Pid;
      waits.watch(k6Pid);
      take();
    },
    stop(): LoadSamples {
      clearInterval(timer);
      const k6CpuWait = waits.stop();
      const withK6 = readings.filter((r) => r.k6Ticks !== undefined);
      const first = readings[0];
      const last = readings[readings.length - 1];
      const wallMs = first && last ? last.at - first.at : 0;
      const out: LoadSamples = { wallMs, cores };
      if (k6CpuWait) out.k6CpuWait = k6CpuWait;
      if (withK6.length >= 2) {
        const a = withK6[0];
        const b = withK6[withK6.length - 1];
        const span = (b.at - a.at) / 1000;
        if (span > 0) out.k6CpuAvgCores = (b.k6Ticks! - a.k6Ticks!) / USER_HZ / span;
        let peak = 0;
        for (let i = 0, j = 0; i < withK6.length; i++) {
          while (j < i && withK6[i].at - withK6[j + 1].at >= 1000) j++;
          const seconds = (withK6[i].at - withK6[j].at) / 1000;
          if (seconds >= 0.9) peak = Math.max(peak, (withK6[i].k6Ticks! - withK6[j].k6Ticks!) / USER_HZ / seconds);
        }
        out.k6CpuPeakCores = span >= 0.9 ? Math.max(peak, out.k6CpuAvgCores ?? 0) : out.k6CpuAvgCores;
      }
      if (first?.pressureUs !== undefined && last?.pressureUs !== undefined && wallMs > 0) {
        out.cpuPressurePercent = ((last.pressureUs - first.pressureUs) / 1000 / wallMs) * 100;
      }
      if (first?.total !== undefined && last?.total !== undefined && last.total > first.total) {
        out.stealPercent = ((last.steal! - first.steal!) / (last.total - first.total)) * 100;
      }
      return out;
    },
  };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** k6 using this share of the cores it may use counts as saturated. */
export const K6_CPU_SATURATION = 0.9;
/** PSI "some" above this share of the run: other work competed with k6 for the CPU. */
export const CPU_PRESSURE_WARNING_PERCENT = 20;
export const STEAL_WARNING_PERCENT = 5;
/**
 * k6's threads waiting longer than this, on average, for a CPU each time they had work: k6 was
 * starved and its timings carry its own waiting (docs/verdicts.md has the measurements behind it).
 */
export const K6_CPU_WAIT_LIMIT_MS = 10;
/** Dropped iterations above this share of the planned ones: the load the test asks for was not delivered. */
export const DROPPED_ITERATIONS_LIMIT = 0.05;

/** Mean wait for a CPU per timeslice, in ms; undefined without a timeslice. */
export function cpuWaitMs(wait: CpuWait): number | undefined {
  return wait.slices > 0 ? wait.waitNs / wait.slices / 1e6 : undefined;
}

/**
 * Why k6 was too starved of CPU to measure, or undefined: the one rule for a run's k6 and for the two
 * k6 processes of a duet alike (their summed threads).
 */
export function k6Starved(wait: CpuWait | undefined): string | undefined {
  if (!wait) return undefined;
  const perWake = cpuWaitMs(wait);
  if (perWake === undefined || perWake < K6_CPU_WAIT_LIMIT_MS) return undefined;
  const share = cpuWaitPercent(wait);
  return (
    `k6 waited ${round(perWake)} ms on average for a CPU each time it had work (limit ${K6_CPU_WAIT_LIMIT_MS} ms; ` +
    `${round(share ?? 0)} % of the time it wanted a CPU): its timings include its own waiting. ` +
    "Run on a quieter runner, with fewer parallel jobs, and without lowering k6's priority"
  );
}

/** Why the load the test asks for was not delivered (too many dropped iterations), or undefined. */
function loadNotDelivered(summary: RunSummary | undefined): string | undefined {
  const dropped = summary?.metrics.dropped_iterations?.values.count ?? 0;
  const done = summary?.metrics.iterations?.values.count ?? 0;
  const planned = dropped + done;
  if (dropped <= 0 || dropped / planned <= DROPPED_ITERATIONS_LIMIT) return undefined;
  return (
    `k6 dropped ${Math.round(dropped)} of ${Math.round(planned)} planned iterations (${round((dropped / planned) * 100)} %, ` +
    `limit ${DROPPED_ITERATIONS_LIMIT * 100} %): the target got less load than the test asks for. Raise preAllocatedVUs/maxVUs, or lower the rate`
  );
}

/** The figures and the warnings, each saying what to change. Pure. */
export function judgeLoadGenerator(
  summary: RunSummary | undefined,
  samples: LoadSamples | undefined,
  k6Log = '',
  models: { run?: ExecutorModel; baseline?: ExecutorModel } = {},
): LoadGeneratorHealth {
  const dropped = summary?.metrics.dropped_iterations?.values.count ?? 0;
  const warnings: string[] = [];
  // k6 says so when an arrival-rate executor hits maxVUs: "Insufficient VUs, reached 80 active VUs and cannot initialize more".
  const maxed = /Insufficient VUs, reached (\d+) active VUs/.exec(k6Log);
  if (maxed) {
    warnings.push(
      `an arrival-rate executor reached its maxVUs (${maxed[1]} active VUs) and could not start more: the target was slower than the rate needs. Raise maxVUs (or preAllocatedVUs).`,
    );
  }
  if (dropped > 0) {
    warnings.push(
      `k6 dropped ${Math.round(dropped)} iterations: an arrival-rate executor ran out of VUs, so the target saw less load than planned. Raise preAllocatedVUs/maxVUs or lower the rate.`,
    );
  }
  const health: LoadGeneratorHealth = { droppedIterations: dropped, warnings };
  if (maxed) health.vusMaxedOut = Number(maxed[1]);
  if (models.run) health.executorModel = models.run;
  if (models.run && models.baseline && models.run !== models.baseline) {
    const words = { open: 'open (arrival-rate)', closed: 'closed (VU-based)', mixed: 'mixed (arrival-rate and VU-based)' };
    warnings.push(
      `this run's executor model is ${words[models.run]} but the baseline was recorded with ${words[models.baseline]}: latencies and rates of the two are not comparable. Use the same executors, or record a new baseline for this workload (update-baseline: force).`,
    );
  }
  if (samples) {
    health.cores = samples.cores;
    if (samples.k6CpuAvgCores !== undefined) health.k6CpuAvgCores = round(samples.k6CpuAvgCores, 2);
    if (samples.k6CpuPeakCores !== undefined) health.k6CpuPeakCores = round(samples.k6CpuPeakCores, 2);
    if (samples.cpuPressurePercent !== undefined) health.cpuPressurePercent = round(samples.cpuPressurePercent);
    if (samples.stealPercent !== undefined) health.stealPercent = round(samples.stealPercent);
    if (samples.k6CpuWait) {
      const share = cpuWaitPercent(samples.k6CpuWait);
      const perWake = cpuWaitMs(samples.k6CpuWait);
      if (share !== undefined) health.k6CpuWaitPercent = round(share);
      if (perWake !== undefined) health.k6CpuWaitMs = round(perWake, 2);
    }
    const peak = samples.k6CpuPeakCores ?? 0;
    if (peak >= K6_CPU_SATURATION * samples.cores) {
      warnings.push(
        `k6 itself used ${round(peak, 2)} of the ${samples.cores} core(s) it may use: the load generator was saturated and latencies include k6's own queueing. Give the runner more CPU, lower VUs or rate, or shard the test.`,
      );
    }
    if ((samples.cpuPressurePercent ?? 0) >= CPU_PRESSURE_WARNING_PERCENT) {
      warnings.push(
        `the runner's CPU was contended ${round(samples.cpuPressurePercent!)} % of the run (PSI): other processes competed with k6. Run load tests on a dedicated runner or fewer parallel jobs.`,
      );
    }
    if ((samples.stealPercent ?? 0) >= STEAL_WARNING_PERCENT) {
      warnings.push(
        `the hypervisor stole ${round(samples.stealPercent!)} % of the CPU during the run: a noisy shared VM. Use a dedicated or larger runner.`,
      );
    }
  }
  const untrustworthy = [loadNotDelivered(summary), k6Starved(samples?.k6CpuWait)].filter((why): why is string => why !== undefined);
  if (untrustworthy.length > 0) health.untrustworthy = untrustworthy;
  return health;
}
