// Creating a folder and its missing parents. Node's `mkdir(…, { recursive: true })` never returns
// where a parent exists but cannot hold children and says ENOENT for them (procfs: `/proc/x`): it
// retries the parent forever at full CPU, deaf to signals. Here each missing level is created once,
// parents first, so such a path fails with that ENOENT like any other refusal. Synchronous: a few
// stat and mkdir calls, and callers that must not yield (the action's outputs) use it too.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Creates `dir` and its missing parents; an existing folder is fine. Errors are the file system's (code set). */
export function createFolder(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const info = statSync(current, { throwIfNoEntry: false });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Another process made it in between: what was asked for exists.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
