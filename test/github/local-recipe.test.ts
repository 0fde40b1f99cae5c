// The local recipe of docs/github.md, run as written: `.env.example` copied to `.env` (only the
// demo target's port changed), the built action started by the documented command in a
// non-interactive shell with a bare environment, against the demo target on 127.0.0.1 and the
// real k6. It must compare with the committed demo baseline, not call every metric new.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { GateResult } from '../../src/model.js';
import { testK6Path, TEST_K6_VERSION } from '../helpers/k6.js';

const COMMAND = 'node --env-file=.env dist/index.js';
const BUNDLE = path.resolve('dist/index.js');

/** The tool cache holding the test's k6, when it has the installer's layout (<cache>/k6/<version>/<arch>/k6). */
function toolCacheOf(k6: string): string | undefined {
  const versionDir = path.dirname(path.dirname(k6));
  if (path.basename(versionDir) !== TEST_K6_VERSION || path.basename(path.dirname(versionDir)) !== 'k6') return undefined;
  return path.dirname(path.dirname(versionDir));
}

describe('the local recipe (.env.example)', () => {
  let tmp: string;
  let target: DemoTarget;

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`no action bundle at ${BUNDLE}: run \`npm run build\` first`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-local-recipe-'));
    // A checkout as the recipe expects it: the bundle, the scenarios with the demo baseline, .env.
    symlinkSync(path.resolve('dist'), path.join(tmp, 'dist'));
    cpSync(path.resolve('scenarios'), path.join(tmp, 'scenarios'), { recursive: true });
    target = await startDemoTarget({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await target?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('docs/github.md and .env.example name the command that runs it', () => {
    expect(readFileSync('docs/github.md', 'utf8')).toContain(`\`${COMMAND}\``);
    expect(readFileSync('.env.example', 'utf8')).toContain(`#   ${COMMAND}\n`);
    expect(readFileSync('.env.example', 'utf8')).toContain('npx --yes @github/local-action');
  });

  it('runs as written in a non-interactive shell and compares with the demo baseline: exit 0, no metric new', async () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(example).toContain('127.0.0.1:8080');
    writeFileSync(path.join(tmp, '.env'), example.replaceAll('127.0.0.1:8080', `127.0.0.1:${target.port}`));
    // A bare environment (no GITHUB_* or INPUT_* of the job running the tests: they would win over .env),
    // with the k6 the tests use in its tool cache so that nothing is downloaded.
    const toolCache = toolCacheOf(testK6Path());
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmp };
    if (toolCache) env.RUNNER_TOOL_CACHE = toolCache;
    const child = spawn('sh', ['-c', COMMAND], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, log).toBe(0);

    // The dashed names were loaded: the preflight asked the health URL of .env, not the target.
    expect(log).toContain(`preflight: http://127.0.0.1:${target.port}/health answered 200`);
    const results = path.join(tmp, 'k6-gate-results');
    const result = JSON.parse(readFileSync(path.join(results, 'comparison.json'), 'utf8')) as GateResult;
    expect(result.environment).toBe('demo');
    expect(result.outcome).toBe('passed');
    const [scenario] = result.scenarios;
    expect(scenario.key).toBe('http-endpoints@smoke@demo');
    // Every watched metric of the demo rules was compared with a baseline value.
    expect(scenario.metrics.map((m) => `${m.metric}:${m.stat}`).sort()).toEqual(
      ['checks:rate', 'http_req_duration:p(95)', 'http_req_failed:rate', 'http_reqs:rate', 'iteration_duration:p(95)'].sort(),
    );
    for (const m of scenario.metrics) {
      expect(m.verdict, `${m.metric} ${m.stat}`).not.toBe('new');
      expect(m.baseline, `${m.metric} ${m.stat}`).toEqual(expect.any(Number));
    }
    // GITHUB_STEP_SUMMARY and GITHUB_OUTPUT of .env were written where it says.
    expect(readFileSync(path.join(results, 'job-summary.md'), 'utf8')).toContain('## ✅ k6-gate: passed');
    expect(readFileSync(path.join(results, 'outputs.txt'), 'utf8')).toMatch(/^result<<.+\npassed$/m);
  });
});
