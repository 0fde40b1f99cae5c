// The README's first command, as a newcomer runs it: the built CLI bundle, the bundled demo target,
// a real k6 and the committed demo baseline.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testK6Path } from '../helpers/k6.js';
import { tempWorkspace } from '../helpers/gate.js';

const cli = path.resolve(import.meta.dirname, '../../dist/cli.js');

function demo(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'demo', '--k6-path', testK6Path(), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('k6-gate demo (dist/cli.js)', () => {
  it('prints a regression table from a real k6 run against the demo baseline and exits 0', async () => {
    const ws = await tempWorkspace();
    const run = await demo([], ws);
    expect(run.stderr).toMatch(/k6-gate demo: target http:\/\/127\.0\.0\.1:\d+/);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('## ✅ k6-gate: passed');
    expect(run.stdout).toMatch(
      /\| `http_req_duration` +\| p\(95\) +\| +[\d.]+ ms \| +[\d.]+ ms \|.*≤ [\d.]+ ms \((tolerance \d+%|interval of \d+ runs|noise floor)\) +\| +(?:[\d.]+%(?: ⚠️)?|—) \| ⚪ unchanged/,
    );
    expect(run.stderr).toContain('the gate passed (exit 0)');
    for (const file of [
      'summary-http-endpoints.json',
      'comparison.json',
      'report.md',
      'report-http-endpoints.html',
      'k6-http-endpoints.log',
    ]) {
      expect(existsSync(path.join(ws, 'k6-gate-results', file)), file).toBe(true);
    }
  });

  it('--slowdown 50% fails the gate with exit 1 and names the regressed metrics', async () => {
    const ws = await tempWorkspace();
    const run = await demo(['--slowdown', '50%', '--no-html-report'], ws);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('## ❌ k6-gate: performance regressed');
    expect(run.stdout).toMatch(/\| `http_req_duration` +\| p\(95\) .*🔴 regressed/);
    expect(run.stderr).toMatch(/the gate FAILED — regressed: http_req_duration p\(95\)/);
  });

  it('--slow-endpoint puts that endpoint first in the per-endpoint table, by its change against the baseline, and names its 503s in the error mix', async () => {
    const ws = await tempWorkspace();
    const run = await demo(['--slow-endpoint', '/api/orders', '--duration', '6s', '--no-html-report'], ws);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/<details><summary>Per-endpoint breakdown: \d+ endpoint\(s\)/);
    const table = run.stdout.slice(run.stdout.indexOf('Per-endpoint breakdown'), run.stdout.indexOf('Error mix'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows[0]).toMatch(/^\| `POST create order` +\| +\d+ \| +\d+ \(/);
    for (const name of ['GET get product', 'GET list products']) expect(table).toContain(`| \`${name}\``);
    // The committed demo baseline keeps each endpoint's p(95): the table's Change column compares with
    // it, and the endpoint made 300 % slower leads by that change (the others stay near ±0 %).
    const change = (row: string) => {
      const cell = row.split('|')[5].trim();
      expect(cell, row).toMatch(/^[+±-]\d+\.\d%$/);
      return Number(cell.replace('±', '').replace('%', ''));
    };
    expect(change(rows[0])).toBeGreaterThan(100);
    // The scenario's one setup() request has a p(95) of one request: no change is claimed for it.
    expect(rows.find((row) => row.startsWith('| `GET health check`'))).toMatch(
      /^\| `GET health check` +\| +1 \| +0 \| +[\d.]+ ms \| +— \|/,
    );
    for (const row of rows.slice(1).filter((r) => /`GET (get|list) product/.test(r))) expect(change(row)).toBeLessThan(change(rows[0]) / 2);
    expect(run.stdout).toMatch(/<details><summary>Error mix: \d+ failed request\(s\)/);
    expect(run.stdout).toMatch(/\| `POST create order` +\| 503 +\|/);
    expect(run.stdout).toMatch(/\| the endpoint answers with the expected status +\| +\d+ \|/);
  });
});
