// Creating a folder and its missing parents. Node's `mkdir(…, { recursive: true })` never returns
// where a parent exists but cannot hold children and says ENOENT for them (procfs: `/proc/x`): it
// retries the parent forever at full CPU. Here each missing level is created once, parents first,
// so such a path fails with that ENOENT like any other refusal.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Creates `dir` and its missing parents; an existing folder is fine. Errors are the file system's (code set). */
export async function createFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      // Another process made it in between: what was asked for exists.
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
