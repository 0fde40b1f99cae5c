// What the results dir holds after a run: only this run's files, never a project's own files
// overwritten, never a baseline that is one of the gate's outputs, and no claim of results that
// were not written. Real k6 through the in-process CLI, as a user types it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

const QUICK = `import { sleep } from 'k6';
export const options = { vus: 1, iterations: 3 };
export default function () { sleep(0.05); }
`;

async function workspace(): Promise<string> {
  const ws = await tempWorkspace('k6-gate-results-');
  await writeFile(path.join(ws, 'quick.js'), QUICK);
  return ws;
}

const run = (ws: string, ...extra: string[]) => runCli(runArgs('quick.js', { k6: testK6Path() }, '--no-preflight', ...extra), ws);

describe('the baseline is never one of the gate’s own files', () => {
  it.each(['k6-gate.env', 'report.html', '.k6-gate.lock'])('--baseline <results>/%s is refused before k6 runs', async (name) => {
    const ws = await workspace();
    const refused = await run(ws, '--baseline', `k6-gate-results/${name}`, '--update-baseline', 'always');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      `baseline k6-gate-results/${name} is one of the files k6-gate writes into the results dir (${name}); expected a file of its own, e.g. k6-baseline.json`,
    );
    expect(refused.stderr).not.toContain('$ k6 run');
  });
});

describe('a rerun into the same results dir', () => {
  it('keeps none of the previous run’s result files when k6 fails before writing', async () => {
    const ws = await workspace();
    const first = await run(ws);
    expect(first.status, first.stderr).toBe(0);
    const results = path.join(ws, 'k6-gate-results');
    expect(existsSync(path.join(results, 'load-performance.json'))).toBe(true);
    await writeFile(path.join(ws, 'quick.js'), 'this is not javascript(');
    const second = await run(ws);
    expect(second.status).toBe(2);
    expect(existsSync(path.join(results, 'load-performance.json')), 'GitLab would show the old run').toBe(false);
    expect(existsSync(path.join(results, 'summary-quick.json'))).toBe(false);
    const comparison = JSON.parse(readFileSync(path.join(results, 'comparison.json'), 'utf8'));
    expect(comparison.outcome).toBe('error');
  });

  it('removes the files of scenarios the previous run had and this one has not', async () => {
    const ws = await workspace();
    await writeFile(path.join(ws, 'other.js'), QUICK);
    expect((await runCli(runArgs('other.js', { k6: testK6Path() }, '--no-preflight'), ws)).status).toBe(0);
    expect((await run(ws)).status).toBe(0);
    const files = readdirSync(path.join(ws, 'k6-gate-results'));
    expect(files.filter((f) => f.includes('other'))).toEqual([]);
    expect(files).toContain('summary-quick.json');
  });
});

describe('a results dir that is not the gate’s', () => {
  it('--results-dir . in a project with its own report.md and junit.xml is refused, and both files are kept', async () => {
    const ws = await workspace();
    await writeFile(path.join(ws, 'report.md'), '# our own report\n');
    await writeFile(path.join(ws, 'junit.xml'), '<testsuites/>\n');
    const refused = await run(ws, '--results-dir', '.');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      `results dir ${ws} holds files k6-gate did not write (junit.xml, report.md) under names it writes; expected an empty folder or one k6-gate made, set results-dir to one (e.g. k6-gate-results)`,
    );
    expect(refused.stderr).not.toContain('$ k6 run');
    expect(readFileSync(path.join(ws, 'report.md'), 'utf8')).toBe('# our own report\n');
    expect(readFileSync(path.join(ws, 'junit.xml'), 'utf8')).toBe('<testsuites/>\n');
  });

  it('a results dir that cannot be created is an error, with no claim that results were written', async () => {
    const ws = await workspace();
    await writeFile(path.join(ws, 't'), 'a file, not a folder');
    const refused = await run(ws, '--results-dir', 't/resfile');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/results dir \S*\/t\/resfile is not writable \(ENOTDIR\)/);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain('results in');
  });

  it.runIf(process.getuid?.() === 0)('a full disk: no half-written comparison.json, and the error says the write failed', async () => {
    const ws = await workspace();
    const results = path.join(ws, 'full');
    await mkdir(results);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12k', 'tmpfs', results]);
    try {
      const full = await run(ws, '--results-dir', 'full');
      expect(full.status).toBe(2);
      expect(full.stderr).toMatch(/could not write (comparison\.json|report\.md|junit\.xml|summary|k6-quick\.log)[^\n]*ENOSPC/);
      expect(full.stderr).not.toContain('did the run stop before the end');
      for (const name of readdirSync(results)) {
        if (name.startsWith('.')) continue;
        const text = readFileSync(path.join(results, name), 'utf8');
        expect(text.length, `${name} is empty`).toBeGreaterThan(0);
      }
    } finally {
      execFileSync('umount', [results]);
    }
  });
});
