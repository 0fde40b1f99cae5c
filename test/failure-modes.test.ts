// scripts/check-failure-modes.mjs ties docs/failure-modes.md to the test run (npm test calls it after
// vitest). These tests feed it small tables and reports to show it fails whenever a row is not proved.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = new URL('../scripts/check-failure-modes.mjs', import.meta.url).pathname;
const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-failure-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'passed' | 'failed' | 'pending' | 'skipped';
const report = (tests: Record<string, Array<[string, Status]>>) => ({
  testResults: Object.entries(tests).map(([file, list]) => ({
    name: `/repo/${file}`,
    assertionResults: list.map(([title, status]) => ({ title, fullName: title, status })),
  })),
});
const table = (...testCells: string[]) =>
  ['| # | Fault | Test |', '| --- | --- | --- |', ...testCells.map((cell, i) => `| ${i + 1} | fault ${i + 1} | ${cell} |`)].join('\n');

function check(tests: Record<string, Array<[string, Status]>>, markdown: string) {
  const reportFile = path.join(dir, 'vitest.json');
  const tableFile = path.join(dir, 'failure-modes.md');
  writeFileSync(reportFile, JSON.stringify(report(tests)));
  writeFileSync(tableFile, markdown);
  const result = spawnSync(process.execPath, [script, reportFile, tableFile], { encoding: 'utf8' });
  return { code: result.status, output: result.stdout + result.stderr };
}

const passing = {
  'test/a.test.ts': [
    ['exit 104 is an error', 'passed'],
    ['keeps `cmd` literal', 'passed'],
    ['["run","checkout-flow"]', 'passed'],
    ['["run","--k6-version","latest"]', 'passed'],
  ],
  'test/b.test.ts': [['http-endpoints aborts with exit 108', 'passed']],
} satisfies Record<string, Array<[string, Status]>>;

describe('check-failure-modes', () => {
  it('accepts a table whose every row names passing tests: plain, code-quoted, it.each rows and template names', () => {
    const { code, output } = check(
      passing,
      table(
        'test/a.test.ts › `exit 104 is an error`; `` keeps `cmd` literal ``',
        "test/a.test.ts › `%j` (row `['run', 'checkout-flow']`); test/b.test.ts › `${workload} aborts with exit 108`",
        'test/a.test.ts › `%j` (row `--k6-version latest`)',
      ),
    );
    expect(output).toContain('all 3 rows proved by 5 passing tests');
    expect(code).toBe(0);
  });

  it('fails on a renamed or deleted test, naming the row and the file', () => {
    const { code, output } = check(passing, table('test/a.test.ts › `exit 104 is an error`', 'test/a.test.ts › `exit 105 is an error`'));
    expect(code).toBe(1);
    expect(output).toContain('row 2: no test "exit 105 is an error" ran in test/a.test.ts');
  });

  it('fails on a test that failed or was skipped', () => {
    const tests = { 'test/a.test.ts': [['slow one', 'failed'] as [string, Status], ['skipped one', 'skipped'] as [string, Status]] };
    const { code, output } = check(tests, table('test/a.test.ts › `slow one`', 'test/a.test.ts › `skipped one`'));
    expect(code).toBe(1);
    expect(output).toContain('row 1: "slow one" in test/a.test.ts did not pass');
    expect(output).toContain('row 2: "skipped one" in test/a.test.ts did not pass');
  });

  it('fails on a row without a test, and on an it.each row that the template does not produce', () => {
    const { code, output } = check(passing, table('none yet', "test/a.test.ts › `%j` (row `['run', 'deploy']`)"));
    expect(code).toBe(1);
    expect(output).toContain('row 1: names no test');
    expect(output).toContain("row 2: no test \"%j\" (row ['run', 'deploy']) ran in test/a.test.ts");
  });

  it('finds the same test only in the file the row names', () => {
    const { code, output } = check(passing, table('test/b.test.ts › `exit 104 is an error`'));
    expect(code).toBe(1);
    expect(output).toContain('row 1: no test "exit 104 is an error" ran in test/b.test.ts');
  });

  it('the real table names a test in every row, quoted as the test files write them', () => {
    const markdown = readFileSync(new URL('../docs/failure-modes.md', import.meta.url), 'utf8');
    const rows = markdown.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const row of rows) expect(row, row.slice(0, 60)).toMatch(/test\/[\w./-]+\.test\.ts › `/);
  });
});
