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

interface InspectInput {
  k6Path: string;
  script: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** The options `k6 inspect` prints for a script; undefined when it fails. */
async function inspectOptions(input: InspectInput): Promise<Record<string, unknown> | undefined> {
  const run = await runProcess(input.k6Path, ['inspect', input.script], {
    env: input.env,
    cwd: input.cwd,
    keep: 'stdout',
    timeoutMs: input.timeoutMs ?? 15_000,
  }).catch(() => undefined);
  if (run?.exitCode !== 0) return undefined;
  try {
    return JSON.parse(run.output) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Runs `k6 inspect`; undefined when it fails (the run itself will say why). */
export async function inspectExecutorModel(input: InspectInput): Promise<ExecutorModel | undefined> {
  const options = await inspectOptions(input);
  return options ? executorModelOf(options as Parameters<typeof executorModelOf>[0]) : undefined;
}

/**
 * The script's threshold expressions per metric (`{"http_req_failed": ["rate<0.01"]}`), as k6
 * resolves its options; undefined when k6 cannot inspect the script. For runs whose k6 summary
 * is not at hand (the collector's remote runners).
 */
export async function inspectThresholds(input: InspectInput): Promise<Record<string, string[]> | undefined> {
  const options = await inspectOptions(input);
  if (!options) return undefined;
  const out: Record<string, string[]> = {};
  const thresholds = (options.thresholds ?? {}) as Record<string, unknown>;
  for (const [metric, entries] of Object.entries(thresholds)) {
    const list = (Array.isArray(entries) ? entries : [entries]) as unknown[];
    out[metric] = list
      .map((e) => (typeof e === 'string' ? e : (e as { threshold?: unknown })?.threshold))
      .filter((e): e is string => typeof e === 'string');
  }
  return out;
}
