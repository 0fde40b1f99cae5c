// Whether a process still runs, as `ps` sees it: a zombie (exited, not yet reaped by a parent that
// does not reap, such as a container's init) has stopped. process.kill(pid, 0) would call it alive.
import { execFileSync } from 'node:child_process';

export function isRunning(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

/** Waits up to `ms` for the process to stop; returns whether it did. */
export async function stopsWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}
