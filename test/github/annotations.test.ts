// The step's error annotations as @actions/core really writes them to stdout: GitHub shows 10 error
// annotations per step and reads a workflow command line of at most 4 KB.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorAnnotations, MAX_COMMAND_BYTES, annotationsFor, emitAnnotations } from '../../src/platform/github/annotations.js';
import { createGitHubLogger } from '../../src/platform/github/logger.js';
import { gateResult, metricRow, scenarioResult } from '../helpers/builders.js';

describe('error annotations of one step', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const lines = () => out.join('').split('\n').filter(Boolean);
  const errors = () => lines().filter((l) => l.startsWith('::error'));
  /** Workflow commands: what GitHub parses, and limits to 4 KB a line. */
  const commands = () => lines().filter((l) => l.startsWith('::'));

  it('30 scenarios that throw at start-up: at most 10 error annotations, no line over 4 KB, the rest folded and named', () => {
    const log = createGitHubLogger();
    const causes = Array.from(
      { length: 30 },
      (_, i) =>
        `scenario checkout-${i}@@staging: k6 could not run the script (exit 107, script exception): TypeError: Cannot read properties of undefined (reading 'json') at setup (file:///work/load/checkout-${i}.js:12:7)`,
    );
    for (const cause of causes) log.error(cause);
    const joined = `k6-gate: the load test could not run: ${causes.join('; ')}`;
    expect(joined.length).toBeGreaterThan(5000);
    log.annotations.finish(joined);

    expect(errors()).toHaveLength(10);
    for (const line of commands()) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(MAX_COMMAND_BYTES);
    // Nine causes as they came, then the failure carrying the count and the names of the other 21.
    expect(errors()[8]).toContain('checkout-8@@staging');
    const last = errors()[9];
    expect(last).toMatch(/^::error::k6-gate: the load test could not run: /);
    expect(last).toContain('and 21 more problem(s)');
    expect(last).toContain('scenario checkout-9@@staging');
    // Nothing is lost: the folded causes are plain log lines, whole.
    expect(lines().some((l) => l === `Error: ${causes[29]}`)).toBe(true);
  });

  it('regressions beyond nine are folded into one that names each scenario and metric', () => {
    const metrics = Array.from({ length: 14 }, (_, i) =>
      metricRow({ metric: `http_req_duration{name:endpoint-${i}}`, stat: 'p(95)', verdict: 'regressed', note: 'x'.repeat(3000) }),
    );
    const annotations = annotationsFor(gateResult({ scenarios: [scenarioResult({ metrics })] }));
    const budget = new ErrorAnnotations();
    emitAnnotations(annotations, budget);
    budget.finish(undefined);
    expect(errors()).toHaveLength(10);
    for (const line of commands()) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(MAX_COMMAND_BYTES);
    for (const line of errors().slice(0, 9))
      expect(line).toMatch(/title=k6-gate%3A http_req_duration\{name%3Aendpoint-\d+\} p\(95\) regressed \(/);
    const fold = errors()[9];
    expect(fold).toContain('title=k6-gate%3A 5 more problem(s)');
    for (let i = 9; i < 14; i++) expect(fold).toContain(`endpoint-${i}} p(95) regressed`);
  });

  it('a multi-byte message is cut by bytes, not characters, and the whole text stays in the log', () => {
    const budget = new ErrorAnnotations();
    const message = '⚠'.repeat(3000);
    budget.error({ title: 'k6-gate: wide', message });
    const [line] = errors();
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(MAX_COMMAND_BYTES);
    expect(lines()).toContain(message);
  });
});
