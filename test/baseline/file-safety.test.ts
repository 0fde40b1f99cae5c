// What a baseline file cannot make k6-gate do: read outside the workspace through a link, print the
// content of a file that is not a baseline, replace a link it updates, hide a regression behind an
// `accepted` value its own history contradicts, or record a k6 version that is not one.
import { copyFile, lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/format.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';

const SUMMARY = path.join(import.meta.dirname, '../data/summaries/k6-v1.8.1-legacy-custom-trend-count.json');

/** A baseline of scenario `quick` whose p(95) history is 62 ms and whose accepted value is `accepted`. */
function baselineText(accepted: number): string {
  const history = [61, 62, 63].map((value, i) => ({ value, date: `2026-11-0${i + 1}T10:00:00Z`, k6Version: '2.2.0' }));
  return JSON.stringify({
    version: 1,
    scenarios: {
      quick: { scenario: 'quick', metrics: { http_req_duration: { 'p(95)': { accepted, type: 'trend', unit: 'ms', history } } } },
    },
  });
}

describe('a symbolic link as the baseline', () => {
  it('a link to a file outside the workspace is refused before it is read, and its content is never shown', async () => {
    const ws = await tempWorkspace('k6-gate-link-');
    await mkdir(path.join(ws, 't'));
    await symlink('/etc/passwd', path.join(ws, 't/b.json'));
    for (const args of [
      ['baseline', 'show', '--baseline', 't/b.json'],
      ['run', 'http-endpoints', '--target', 'http://127.0.0.1:9', '--baseline', 't/b.json'],
    ]) {
      const run = await runCli(args, ws);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain('baseline "t/b.json" is a link to /etc/passwd, outside the workspace');
      expect(run.stderr + run.stdout).not.toContain('root:');
    }
  });

  it('a link inside the workspace to a file that is not JSON: the error names the file and the place, never its text', async () => {
    const ws = await tempWorkspace('k6-gate-link-');
    await writeFile(path.join(ws, '.env'), 'GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n');
    await symlink('.env', path.join(ws, 'b.json'));
    const run = await runCli(['baseline', 'show', '--baseline', 'b.json'], ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/b\.json is not valid JSON \(an unexpected character\); expected a k6-gate baseline \(format v1\)/);
    expect(run.stderr).not.toMatch(/GITHUB|ghp_/);
  });

  it('updating a baseline that is a link writes the file it leads to and keeps the link', async () => {
    const ws = await tempWorkspace('k6-gate-link-');
    await mkdir(path.join(ws, 'perf'));
    await symlink('perf/real.json', path.join(ws, 'k6-baseline.json'));
    await copyFile(SUMMARY, path.join(ws, 'summary.json'));
    const run = await runCli(['baseline', 'update', '--summary', 'summary.json', '--scenario', 'quick', '--k6-version', 'v1.8.1'], ws);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /recorded summary\.json as quick in k6-baseline\.json \(a link: written to .*perf\/real\.json, the link kept\)/,
    );
    expect((await lstat(path.join(ws, 'k6-baseline.json'))).isSymbolicLink()).toBe(true);
    const written = await parseBaseline(await readFile(path.join(ws, 'perf/real.json'), 'utf8'), 'real.json');
    expect(written.scenarios.quick.metrics.http_req_duration['p(95)'].history[0].k6Version).toBe('1.8.1');
  });
});

describe('baseline contents that would mislead the gate', () => {
  it('an accepted value that contradicts its own history (999 ms vs 62 ms) is refused, naming the median', async () => {
    await expect(parseBaseline(baselineText(999), 'b.json')).rejects.toThrow(
      'b.json: $.scenarios["quick"].metrics["http_req_duration"]["p(95)"].accepted is 999; expected the median of its history (62 ms from 3 run(s)): k6-gate compares with that median',
    );
    // The median itself, and a hand-set value without history, are fine.
    expect((await parseBaseline(baselineText(62), 'b.json')).scenarios.quick.metrics.http_req_duration['p(95)'].accepted).toBe(62);
    const handSet = JSON.parse(baselineText(999));
    handSet.scenarios.quick.metrics.http_req_duration['p(95)'].history = [];
    expect((await parseBaseline(JSON.stringify(handSet), 'b.json')).scenarios.quick.metrics.http_req_duration['p(95)'].accepted).toBe(999);
  });

  it('a UTF-8 byte order mark before the JSON is skipped', async () => {
    const parsed = await parseBaseline(`\ufeff${baselineText(62)}`, 'b.json');
    expect(parsed.scenarios.quick.scenario).toBe('quick');
  });

  it('a long string value is quoted only as a short excerpt with its length', async () => {
    const data = JSON.parse(baselineText(62));
    data.scenarios.quick.metrics.http_req_duration['p(95)'].history[0].date = 'glpat-SECRETSECRETSECRET';
    const error = await parseBaseline(JSON.stringify(data), 'b.json').catch((e: Error) => e);
    expect(String(error)).toContain('.history[0].date is "glpa"… (24 characters); expected an ISO 8601 date-time');
    expect(String(error)).not.toContain('SECRET');
  });

  it("a Trend's count is recorded as a count, not a time", async () => {
    const ws = await tempWorkspace('k6-gate-count-');
    await copyFile(SUMMARY, path.join(ws, 'summary.json'));
    await writeFile(
      path.join(ws, 'k6-gate.config.json'),
      JSON.stringify({ watch: ['http_req_duration:p(95)', 'http_req_duration:count'] }),
    );
    const run = await runCli(
      ['baseline', 'update', '--summary', 'summary.json', '--scenario', 'quick', '--config', 'k6-gate.config.json'],
      ws,
    );
    expect(run.status, run.stderr).toBe(0);
    const written = await parseBaseline(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'), 'b');
    expect(written.scenarios.quick.metrics.http_req_duration.count).toMatchObject({ accepted: 2366, type: 'trend', unit: 'count' });
    expect(written.scenarios.quick.metrics.http_req_duration['p(95)']).toMatchObject({ unit: 'ms' });
    // A file written before this was fixed is read with the right unit.
    const old = JSON.parse(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'));
    old.scenarios.quick.metrics.http_req_duration.count.unit = 'ms';
    expect((await parseBaseline(JSON.stringify(old), 'b')).scenarios.quick.metrics.http_req_duration.count.unit).toBe('count');
  });

  it('baseline update refuses a --k6-version that is not a version, before writing anything', async () => {
    const ws = await tempWorkspace('k6-gate-version-');
    await copyFile(SUMMARY, path.join(ws, 'summary.json'));
    const run = await runCli(['baseline', 'update', '--summary', 'summary.json', '--scenario', 'quick', '--k6-version', 'lol'], ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('k6-version "lol" is not a version; expected X.Y.Z');
    await expect(lstat(path.join(ws, 'k6-baseline.json'))).rejects.toThrow(/ENOENT/);
  });
});
