// Starving k6 of CPU on purpose, for the tests of the inconclusive outcome: CPU burners, and a k6
// that runs at the lowest priority. k6-gate starts k6 in a session of its own, which Linux's
// autogroup scheduling makes a group of its own: the group's nice is lowered too, or nice 19 would
// only rank k6 against itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { testK6Path } from './k6.js';

/**
 * `count` burners, each in a process group of its own (`timeout` and its shell, so one kill stops
 * both), killed by `timeout` after `capSeconds` whatever happens to the test.
 */
export function startBurners(count: number, capSeconds: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn('timeout', ['-s', 'KILL', String(capSeconds), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }),
  );
}

export function stopBurners(burners: readonly ChildProcess[]): void {
  for (const burner of burners) {
    try {
      process.kill(-burner.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Writes `dir/k6-at-nice-19`, a program for the documented k6-path input that runs the test k6 at nice 19. */
export async function writeNiceK6(dir: string): Promise<string> {
  const niceK6 = path.join(dir, 'k6-at-nice-19');
  await writeFile(niceK6, `#!/bin/sh\necho 19 > /proc/self/autogroup 2>/dev/null\nexec nice -n 19 ${JSON.stringify(testK6Path())} "$@"\n`);
  await chmod(niceK6, 0o755);
  return niceK6;
}
