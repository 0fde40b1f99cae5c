// The one spawn helper: a program's whole process group stops with it, the wait ends when the
// program has exited (not when the last descendant lets go of its pipes), and nothing it started
// outlives k6-gate, even when k6-gate itself is killed with SIGKILL.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPE_DRAIN_MS, runProcess, startProcess } from '../../src/k6/process.js';
import { isRunning, stopsWithin } from '../helpers/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readPid(file: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/^\d+\n/.test(text)) return Number(text.trim());
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no pid in ${file}`);
}

/** A shell script that ignores INT and TERM and waits on a child that ignores them too, holding the pipes. */
async function stubbornWrapper(name: string): Promise<{ script: string; childPidFile: string }> {
  const script = path.join(dir, name);
  const childPidFile = `${script}.child-pid`;
  await writeFile(script, `#!/bin/sh\ntrap '' INT TERM\necho started\nsleep 3600 &\necho $! > '${childPidFile}'\nwait\n`, { mode: 0o755 });
  return { script, childPidFile };
}

describe('startProcess', () => {
  it('a time limit kills the whole process group: a wrapper whose child ignores INT/TERM and holds the pipes ends, and so does the child', async () => {
    const { script, childPidFile } = await stubbornWrapper('stubborn.sh');
    const started = Date.now();
    const run = startProcess(script, [], { timeoutMs: 1000 });
    const child = await readPid(childPidFile);
    run.signal('SIGINT');
    run.signal('SIGTERM');
    const result = await run.result;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(result.output).toContain('started');
    expect(await stopsWithin(child, 2000), 'the wrapper’s child is gone').toBe(true);
  });

  it('the wait ends once the program exited, although a descendant it left keeps the pipes open; the descendant is killed', async () => {
    const script = path.join(dir, 'leaves-a-child.sh');
    const childPidFile = `${script}.child-pid`;
    await writeFile(script, `#!/bin/sh\nsleep 3600 &\necho $! > '${childPidFile}'\necho 'k6 v2.2.0 (go1.26.8, linux/amd64)'\nexit 0\n`, {
      mode: 0o755,
    });
    const started = Date.now();
    const result = await runProcess(script, []);
    expect(Date.now() - started).toBeLessThan(PIPE_DRAIN_MS + 5000);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.output).toContain('k6 v2.2.0');
    const child = await readPid(childPidFile);
    expect(await stopsWithin(child, 2000)).toBe(true);
  });

  it('keeps every line a program prints, split per line, and says when it could not start', async () => {
    const lines: string[] = [];
    const result = await runProcess('sh', ['-c', 'printf "one\\ntwo"; printf "three\\n" >&2'], { onLine: (line) => lines.push(line) });
    expect(result.exitCode).toBe(0);
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
    const missing = await runProcess(path.join(dir, 'no-such-program'), []);
    expect(missing.spawnError?.code).toBe('ENOENT');
  });

  it('a program outlives no k6-gate: SIGKILL of the process that started it kills it within a few seconds', async () => {
    // The helper, compiled as it is, in a node process of its own that this test then SIGKILLs.
    const helper = path.join(dir, 'process.mjs');
    const source = readFileSync(path.resolve(import.meta.dirname, '../../src/k6/process.ts'), 'utf8');
    await writeFile(helper, (await transform(source, { loader: 'ts', format: 'esm' })).code);
    const driver = path.join(dir, 'driver.mjs');
    await writeFile(
      driver,
      `import { startProcess } from './process.mjs';\nconst run = startProcess('sleep', ['3600']);\nconsole.log(run.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const parent = spawn(process.execPath, [driver], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sleeper = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    expect(isRunning(sleeper)).toBe(true);
    parent.kill('SIGKILL');
    expect(await stopsWithin(sleeper, 5000), 'the program died with the process that started it').toBe(true);
  });
});
