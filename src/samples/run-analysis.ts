// Live analysis around one k6 run: where k6's samples go while it runs, the load generator's CPU
// sampling, `k6 inspect` for the executor model, and the findings once k6 is done.
//
// By default k6 pushes its samples, aggregated per tag set, to k6-gate's loopback receiver through
// its remote-write output (docs/adr/0004-remote-write-analysis.md); when the user's own Prometheus
// already has that output, k6-gate follows a plain --out json file instead
// (docs/adr/0003-live-samples.md). Either way the one sample aggregator gives the findings and the
// sampling bands of the verdict.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { formatCount } from '../format.js';
import type { ExecutorModel } from '../k6/inspect.js';
import { judgeLoadGenerator, startLoadSampler, type LoadSamples } from '../k6/load-health.js';
import type { Logger } from '../log.js';
import type { RunSummary, ScenarioAnalysis } from '../model.js';
import { liveRemoteWriteSetup, remoteWriteTakenBy, type MetricsOutput } from '../observability/metrics-output.js';
import { analyseSamples } from './analysis.js';
import { startLiveAnalysis, type LiveAnalysis, type RunSamples } from './live.js';
import { addSummaryChecks, startRemoteWriteAnalysis, type RemoteWriteAnalysis } from './remote-write.js';

export interface RunAnalysisInput {
  resultsDir: string;
  /** The run's file-name form (`safeFileName` of the scenario and its label). */
  fileName: string;
  k6Version: string;
  metricsOutputs?: readonly MetricsOutput[];
  k6Args: readonly string[];
  /** The variables k6 gets; the receiver's are added to it. */
  env: Record<string, string>;
  /** Metric or submetric names the sampling bands read. */
  watched: string[];
  /** Runs `k6 inspect` on the script (started once k6 runs, read once it is done). */
  inspect: () => Promise<ExecutorModel | undefined>;
  log: Logger;
}

/** What the run analysis measured, read once k6 has exited. */
export interface RunAnalysisResult {
  samples?: RunSamples;
  loadSamples?: LoadSamples;
  executorModel?: ExecutorModel;
}

export interface RunAnalysis {
  /** Extra k6 arguments (the receiver's output); its variables were added to `input.env`. */
  args: string[];
  /** The plain `--out json` file to follow, when k6's remote-write output is the user's. */
  liveOutput?: string;
  /** Call with k6's process id once it started. */
  onSpawn(pid: number): void;
  /** Call once k6 exited: the samples, the CPU readings and the executor model. */
  stop(): Promise<RunAnalysisResult>;
}

/** Starts the receiver (or the file follower) and the load sampler for one k6 run. */
export async function startRunAnalysis(input: RunAnalysisInput): Promise<RunAnalysis> {
  const { env, log, watched } = input;
  const taken = remoteWriteTakenBy(input.metricsOutputs, input.k6Args, { ...process.env, ...env });
  let live: LiveAnalysis | undefined;
  let receiver: RemoteWriteAnalysis | undefined;
  let liveOutput: string | undefined;
  const args: string[] = [];
  if (taken) {
    liveOutput = path.join(input.resultsDir, `.k6-live-${input.fileName}.json`);
    live = startLiveAnalysis({ file: liveOutput, log, watched });
    log.info(`k6-gate: live analysis follows k6's JSON output (${taken}; at high request rates this costs k6 CPU)`);
  } else {
    receiver = await startRemoteWriteAnalysis({ log, watched });
    const setup = liveRemoteWriteSetup(receiver.url, input.k6Version, env);
    Object.assign(env, setup.env);
    args.push(...setup.args);
  }
  const sampler = startLoadSampler({ gomaxprocs: env.GOMAXPROCS });
  // `k6 inspect` runs next to the test, started once `k6 run` is spawned (not before it).
  let inspecting: Promise<ExecutorModel | undefined> = Promise.resolve(undefined);
  return {
    args,
    liveOutput,
    onSpawn: (pid) => {
      sampler.watch(pid);
      inspecting = input.inspect();
    },
    stop: async () => {
      const loadSamples = sampler.stop();
      const executorModel = await inspecting;
      let samples: RunSamples | undefined;
      if (live) {
        samples = await live.stop();
        await rm(liveOutput!, { force: true }).catch(() => undefined);
      }
      if (receiver) samples = await receiver.stop();
      if (samples) log.info(`k6-gate: live analysis read ${describeSamples(samples)}${samples.problem ? `; ${samples.problem}` : ''}`);
      return { samples, loadSamples, executorModel };
    },
  };
}

function describeSamples(samples: RunSamples): string {
  return samples.source === 'remote-write'
    ? `${formatCount(samples.samples)} samples from k6's remote-write pushes (${(samples.bytes / 2 ** 10).toFixed(0)} KiB)`
    : `${formatCount(samples.samples)} samples (${(samples.bytes / 2 ** 20).toFixed(1)} MiB)`;
}

/**
 * The findings of a run: per-endpoint breakdown, error mix, failed checks and the load generator's
 * health; undefined when no sample arrived.
 */
export function runFindings(
  measured: RunAnalysisResult,
  input: {
    summary?: RunSummary;
    k6Log: string;
    top: number;
    baseline?: { endpoints?: Record<string, { p95: number; requests: number }>; executorModel?: ExecutorModel };
  },
): ScenarioAnalysis | undefined {
  const { samples } = measured;
  if (!samples || samples.samples === 0) return undefined;
  if (input.summary) addSummaryChecks(samples, input.summary.checks);
  return {
    source: samples.source,
    ...analyseSamples(samples.aggregator, { top: input.top, baseline: input.baseline?.endpoints }),
    loadGenerator: judgeLoadGenerator(input.summary, measured.loadSamples, input.k6Log, {
      run: measured.executorModel,
      baseline: input.baseline?.executorModel,
    }),
  };
}
