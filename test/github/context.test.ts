import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { artifactUrl, isDefaultBranchRun, readRunContext } from '../../src/platform/github/context.js';
import { defaultArtifactName, defaultCommentId, matrixSuffix } from '../../src/platform/github/names.js';
import { MAX_ANNOTATION_MESSAGE, MAX_ANNOTATION_TITLE, annotationsFor, capAnnotations } from '../../src/platform/github/annotations.js';
import { assertLoadAllowed } from '../../src/load-policy.js';
import { failedRunOutputs, gateOutputs, setGateOutputs } from '../../src/platform/github/outputs.js';
import { gateResult, metricRow, regressedResult, scenarioResult } from '../helpers/builders.js';

function eventFile(payload: object): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'k6-gate-event-')), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

const baseEnv = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SERVER_URL: 'https://github.example.com/',
  GITHUB_RUN_ID: '123',
  GITHUB_WORKFLOW: 'Performance',
  GITHUB_JOB: 'gate',
  GITHUB_WORKSPACE: '/ws',
};

describe('run context', () => {
  it('reads the pull request and tells a fork from a branch', () => {
    const pr = (head: string | null) => ({
      pull_request: {
        number: 42,
        head: { sha: 'h', repo: head === null ? null : { full_name: head } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    });
    const branch = readRunContext({ ...baseEnv, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventFile(pr('acme/shop')) });
    expect(branch.pullRequest).toEqual({ number: 42, fromFork: false, headSha: 'h' });
    expect(branch.sha).toBe('h');
    expect(readRunContext({ ...baseEnv, GITHUB_EVENT_PATH: eventFile(pr('stranger/shop')) }).pullRequest?.fromFork).toBe(true);
    expect(readRunContext({ ...baseEnv, GITHUB_EVENT_PATH: eventFile(pr(null)) }).pullRequest?.fromFork).toBe(true);
  });

  it('knows a push to the default branch, and builds run and artifact URLs (GHES too)', () => {
    const ctx = readRunContext({
      ...baseEnv,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_PATH: eventFile({ repository: { default_branch: 'main' } }),
    });
    expect(ctx.pullRequest).toBeUndefined();
    expect(isDefaultBranchRun(ctx)).toBe(true);
    expect(isDefaultBranchRun({ ...ctx, ref: 'refs/heads/feature', refName: 'feature' })).toBe(false);
    expect(artifactUrl(ctx, 9)).toBe('https://github.example.com/acme/shop/actions/runs/123/artifacts/9');
  });

  it('says which event file it could not read', () => {
    expect(() => readRunContext({ ...baseEnv, GITHUB_EVENT_PATH: '/nonexistent/event.json' })).toThrow(
      /GITHUB_EVENT_PATH=\/nonexistent\/event.json/,
    );
  });

  it('gives each matrix entry its own comment id and artifact name, stable between runs', () => {
    const ctx = readRunContext(baseEnv);
    expect(defaultCommentId(ctx, 'null')).toBe('Performance/gate');
    expect(defaultCommentId(ctx, '{\n  "env": "staging",\n  "profile": "smoke"\n}')).toBe('Performance/gate/staging-smoke');
    expect(defaultCommentId(ctx, '{"env": "production"}')).not.toBe(defaultCommentId(ctx, '{"env": "staging"}'));
    expect(defaultArtifactName(ctx, '{"node": 24, "os": "ubuntu/24.04"}')).toBe('k6-gate-gate-24-ubuntu_24.04');
    const nested = '{"cfg": {"a": 1}}';
    expect(matrixSuffix(nested)).toMatch(/^[0-9a-f]{10}$/);
    expect(matrixSuffix(nested)).toBe(matrixSuffix(nested));
  });
});

describe('annotations', () => {
  it('makes one error annotation per regressed metric and per crossed threshold', () => {
    const annotations = annotationsFor(regressedResult(), { 'http-endpoints': 'perf/http-endpoints.ts' });
    expect(annotations).toEqual([
      {
        title: 'k6-gate: http_req_duration p(95) regressed (http-endpoints@smoke)',
        message: 'p(95) 252 ms vs 180 ms, +40%',
        file: 'perf/http-endpoints.ts',
      },
      {
        title: 'k6-gate: threshold crossed (http-endpoints@smoke)',
        message: 'http_req_duration: p(95)<200 did not hold',
        file: 'perf/http-endpoints.ts',
      },
    ]);
    expect(annotationsFor(gateResult())).toEqual([]);
    const noNote = regressedResult();
    noNote.scenarios[0].metrics[0].note = '';
    expect(annotationsFor(noNote)[0].message).toBe('252 ms vs baseline 180 ms (+40.0%)');
  });

  it('annotates a watched metric that went missing when its rule makes that an error', () => {
    const s = scenarioResult({
      metrics: [
        metricRow({ metric: 'checkout_duration', stat: 'p(95)', current: undefined, verdict: 'missing', severity: 'error' }),
        metricRow({ metric: 'search_duration', stat: 'p(95)', current: undefined, verdict: 'missing', severity: 'warning' }),
      ],
    });
    expect(annotationsFor(gateResult({ scenarios: [s] })).map((a) => a.title)).toEqual([
      'k6-gate: checkout_duration p(95) missing (http-endpoints@smoke)',
    ]);
  });

  it('keeps within the 10 error annotations GitHub shows, folding the rest into the last one', () => {
    const rows = Array.from({ length: 14 }, (_, i) =>
      metricRow({ metric: `http_req_duration{name:e${i}}`, stat: 'p(95)', verdict: 'regressed' }),
    );
    const capped = capAnnotations(annotationsFor(gateResult({ scenarios: [scenarioResult({ metrics: rows })] })));
    expect(capped).toHaveLength(10);
    expect(capped[8].title).toBe('k6-gate: http_req_duration{name:e8} p(95) regressed (http-endpoints@smoke)');
    expect(capped[9].title).toBe('k6-gate: 5 more problem(s)');
    expect(capped[9].message).toMatch(
      /^http_req_duration\{name:e9\} p\(95\) regressed .*e13.* — see the job summary or report.md for all of them$/,
    );
    expect(capAnnotations(capped.slice(0, 3))).toHaveLength(3);
  });

  it('cuts every annotation to a readable length: 2,000 folded problems and a 5,000-character note', () => {
    const rows = Array.from({ length: 2000 }, (_, i) =>
      metricRow({
        metric: `http_req_duration{name:endpoint-with-a-long-name-${i}}`,
        stat: 'p(95)',
        verdict: 'regressed',
        note: 'x'.repeat(5000),
      }),
    );
    const capped = capAnnotations(annotationsFor(gateResult({ scenarios: [scenarioResult({ metrics: rows })] })));
    expect(capped).toHaveLength(10);
    for (const a of capped) {
      expect(a.message.length).toBeLessThanOrEqual(MAX_ANNOTATION_MESSAGE);
      expect(a.title.length).toBeLessThanOrEqual(MAX_ANNOTATION_TITLE);
    }
    expect(capped[9].title).toBe('k6-gate: 1991 more problem(s)');
    expect(capped[9].message).toMatch(/… — see the job summary or report.md for all of them$/);
    expect(capped[0].message).toMatch(/… \(see the job summary or report.md for all of it\)$/);
  });
});

describe('outputs', () => {
  it('a GITHUB_OUTPUT file that does not exist yet (a local run) is created: writing outputs never fails the job', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'k6-gate-outputs-')), 'runner', 'output.txt');
    vi.stubEnv('GITHUB_OUTPUT', file);
    try {
      expect(() => setGateOutputs(failedRunOutputs())).not.toThrow();
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^result<<(.+)\nerror\n\1$/m);
      expect(text).toMatch(/^failed<<(.+)\ntrue\n\1$/m);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an impossible GITHUB_OUTPUT (under /proc) is a warning and the step goes on: no endless folder creation', async () => {
    // Node's recursive mkdir spins forever on such a path, beyond the reach of any test timeout, so
    // the writer runs in a child process that is killed if it does not end by itself.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-outputs-proc-'));
    const script = path.join(dir, 'write-outputs.cjs');
    await build({
      stdin: {
        contents:
          "import { failedRunOutputs, setGateOutputs } from './src/platform/github/outputs.ts'; setGateOutputs(failedRunOutputs());",
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: script,
      logLevel: 'silent',
    });
    for (const target of ['/proc/self/k6-gate/output.txt', '/proc/1/no-such-dir/deeper/output.txt']) {
      const run = spawnSync(process.execPath, [script], {
        env: { ...process.env, GITHUB_OUTPUT: target },
        timeout: 30_000,
        encoding: 'utf8',
      });
      expect(run.signal, `${target} did not end by itself`).toBeNull();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`::warning::k6-gate: could not write the step outputs to ${target}`);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps the result to every documented output, empty strings where nothing applies', () => {
    expect(gateOutputs(gateResult({ k6: undefined }), { resultsDir: '/ws/out' })).toEqual({
      result: 'passed',
      failed: 'false',
      regressions: '0',
      'thresholds-failed': '0',
      inconclusive: '0',
      'report-path': '/ws/out/report.md',
      'comparison-path': '/ws/out/comparison.json',
      'comment-url': '',
      'artifact-id': '',
      'artifact-url': '',
      'k6-version': '',
      'k6-path': '',
      'baseline-updated': 'false',
    });
  });
});

describe('heavy-load rule', () => {
  it('refuses heavy profiles on pull requests and against production unless allowed', () => {
    expect(() => assertLoadAllowed({ profile: 'stress', changeRequest: 'pull_request run', allowHeavyLoad: false })).toThrow(
      /"stress" is a heavy load profile.*allow-heavy-load/,
    );
    expect(() => assertLoadAllowed({ profile: 'soak', environmentName: 'production', allowHeavyLoad: false })).toThrow(/production/);
    expect(() => assertLoadAllowed({ profile: 'stress', changeRequest: 'pull_request run', allowHeavyLoad: true })).not.toThrow();
    expect(() =>
      assertLoadAllowed({ profile: 'smoke', environmentName: 'production', changeRequest: 'pull_request run', allowHeavyLoad: false }),
    ).not.toThrow();
    expect(() => assertLoadAllowed({ profile: 'stress', environmentName: 'staging', allowHeavyLoad: false })).not.toThrow();
  });
});
