// Bad or surprising inputs the CLI and pipeline suites leave out: a malformed baseline, a baseline
// recorded for other scenarios, and values with quotes, spaces and `$(cmd)` handed to k6 untouched.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { gate, readText, script } from './support.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 13 });
});
afterAll(() => target.close());

const TINY = `import http from 'k6/http';
export const options = { vus: 1, iterations: 3 };
export default function () { http.get(__ENV.BASE_URL + '/api/products'); }
`;

describe('baseline problems', () => {
  it('a malformed baseline stops the gate before k6 runs, naming the file: exit 2', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'k6-baseline.json'), '{"version": 1, "scenarios": ');
    const run = await gate(ws, { scenarios: [await script(ws, 'tiny.js', TINY)], target: target.url });
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(/k6-baseline\.json/);
    expect(run.result.scenarios[0].error).toMatch(/JSON/);
    expect(run.log).not.toMatch(/\$ k6 run/);
    const report = readText(run.config.resultsDir, 'report.md');
    expect(report).toContain('## 💥 k6-gate: bad input');
    expect(report).toMatch(/\*\*Bad input:\*\* .*k6-baseline\.json.*JSON/);
  });

  it('a baseline recorded for other scenarios: every metric is new, the run passes, and a warning names the missing key', async () => {
    const ws = await tempWorkspace();
    const spec = await script(ws, 'tiny.js', TINY);
    // Record a baseline under another name, then gate a scenario it does not know.
    const other = await script(ws, 'other.js', TINY);
    expect((await gate(ws, { scenarios: [other], target: target.url, updateBaseline: 'always' })).result.baselineUpdated).toBe(true);
    const run = await gate(ws, { scenarios: [spec], target: target.url });
    expect(run.result.outcome).toBe('passed');
    expect(run.status).toBe(0);
    expect(run.result.scenarios[0].metrics.every((m) => m.verdict === 'new')).toBe(true);
    expect(run.result.warnings.join('\n')).toMatch(/k6-baseline\.json has no entry for "tiny".*other/);
    expect(readText(run.config.resultsDir, 'report.md')).toMatch(/has no entry for .*tiny/);
  });
});

describe('values that look like shell syntax reach k6 as literal text', () => {
  it('--env with quotes, spaces and $(cmd) is passed to the script unchanged and runs nothing', async () => {
    const ws = await tempWorkspace();
    const marker = path.join(ws, 'pwned');
    await writeFile(
      path.join(ws, 'echo.js'),
      `export const options = { vus: 1, iterations: 1 };\nexport default function () { console.log('GREETING=[' + __ENV.GREETING + ']'); }\n`,
    );
    const value = `hello "big" world; $(touch ${marker}) \`touch ${marker}\``;
    let stderr = '';
    const status = await main({
      argv: ['run', 'echo.js', '--k6-path', testK6Path(), '--no-html-report', '--env', `GREETING=${value}`],
      cwd: ws,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
    });
    expect(status).toBe(0);
    // k6 prints console lines in logfmt, which escapes the double quotes.
    expect(stderr).toContain(`GREETING=[${value.replace(/"/g, '\\"')}]`);
    expect(existsSync(marker)).toBe(false);
  });

  it('a scenario path with spaces and $(cmd) in its name is one argument to k6', async () => {
    const ws = await tempWorkspace();
    const marker = path.join(ws, 'pwned');
    const file = `my test $(touch ${path.basename(marker)}).js`;
    await writeFile(path.join(ws, file), `export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n`);
    const run = await gate(ws, { scenarios: [{ name: 'odd', script: path.join(ws, file) }] });
    expect(run.status).toBe(0);
    expect(run.result.scenarios[0].exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
