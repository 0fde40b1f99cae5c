// Which executor model a script runs: `k6 inspect` evaluates its options (with the same environment
// as the run) without running it. Open = every scenario is arrival-rate (the load does not slow
// down when the target does); closed = VU-based; mixed = both.
import { spawn } from 'node:child_process';

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
export function inspectExecutorModel(input: {
  k6Path: string;
  script: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}): Promise<ExecutorModel | undefined> {
  return new Promise((resolve) => {
    const child = spawn(input.k6Path, ['inspect', input.script], { env: input.env, cwd: input.cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), input.timeoutMs ?? 15_000);
    child.stdout.on('data', (d) => (out += d));
    child.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return resolve(undefined);
      try {
        resolve(executorModelOf(JSON.parse(out)));
      } catch {
        resolve(undefined);
      }
    });
  });
}
