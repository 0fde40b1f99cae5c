// Which executor model a script runs: `k6 inspect` evaluates its options (with the same environment
// as the run) without running it. Open = every scenario is arrival-rate (the load does not slow
// down when the target does); closed = VU-based; mixed = both.
import { runProcess } from './process.js';

export type ExecutorModel = 'open' | 'closed' | 'mixed';

/** Pure: the model of an inspected options object. */
export function executorModelOf(options: { scenarios?: Record<string, { executor?: string }> | null }): ExecutorModel {
  const executors = Object.values(options.scenarios ?? {}).map((s) => s.executor ?? '');
  // No scenarios: vus/duration/stages/iterations, all VU-based.
  if (executors.length === 0) return 'closed';
  const open = executors.filter((e) => e.endsWith('arrival-rate')).length;
  return open === executors.length ? 'open' : open === 0 ? 'closed' : 'mixed';
}

/** Runs `k6 inspect`; undefined when it fails (the run itself will say why). */
export async function inspectExecutorModel(input: {
  k6Path: string;
  script: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}): Promise<ExecutorModel | undefined> {
  const run = await runProcess(input.k6Path, ['inspect', input.script], {
    env: input.env,
    cwd: input.cwd,
    keep: 'stdout',
    timeoutMs: input.timeoutMs ?? 15_000,
  });
  if (run.exitCode !== 0) return undefined;
  try {
    return executorModelOf(JSON.parse(run.output));
  } catch {
    return undefined;
  }
}
