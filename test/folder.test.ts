// createFolder (src/folder.ts): parents first, an existing folder fine, and a refusal is an error at
// once, also where Node's recursive mkdir would spin forever (a path under /proc).
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolder } from '../src/folder.js';

describe('createFolder', () => {
  it('creates the missing parents, and an existing folder is fine', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-folder-'));
    const deep = path.join(root, 'a', 'b', 'c');
    createFolder(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect(() => createFolder(deep)).not.toThrow();
  });

  it('refuses a path through a file (ENOTDIR) and a path under /proc (ENOENT) with the code', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-folder-'));
    await writeFile(path.join(root, 'file'), '');
    expect(() => createFolder(path.join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => createFolder('/proc/k6-gate-folder/sub')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
