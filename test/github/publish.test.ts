// publishToGitHub with the real Octokit and the real @actions/artifact client against local fakes,
// and @actions/core writing the real GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import type { GateResult } from '../../src/model.js';
import { readRunContext } from '../../src/platform/github/context.js';
import { publishToGitHub, type PublishOptions } from '../../src/platform/github/publish.js';
import { gateResult, regressedResult } from '../helpers/builders.js';
import { fakeRuntimeToken, startFakeArtifactService, type FakeArtifactService } from './fakes/artifact-service.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fakes/github-api.js';
import { startSilentServer } from '../helpers/silent-server.js';

function capturingLogger() {
  const lines: { level: string; message: string }[] = [];
  const log: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    error: (message) => lines.push({ level: 'error', message }),
    debug: () => undefined,
    group: (_title, fn) => fn(),
    addSecret: () => undefined,
  };
  return { log, lines, warnings: () => lines.filter((l) => l.level === 'warning').map((l) => l.message) };
}

/** GITHUB_OUTPUT uses `name<<delimiter` blocks. */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[3];
  return out;
}

function pullRequestEvent(fork: boolean) {
  return {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      head: { sha: 'abc123', ref: 'feature', repo: { full_name: fork ? 'stranger/shop' : 'acme/shop' } },
      base: { ref: 'main', repo: { full_name: 'acme/shop' } },
    },
    repository: { full_name: 'acme/shop', default_branch: 'main' },
  };
}

describe('publishToGitHub', () => {
  let api: FakeGitHubApi;
  let artifacts: FakeArtifactService;
  let tmp: string;
  let resultsDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    artifacts = await startFakeArtifactService();
  });
  afterAll(async () => {
    await artifacts.close();
  });

  beforeEach(async () => {
    api = await startFakeGitHubApi();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-publish-'));
    resultsDir = path.join(tmp, 'workspace', 'k6-gate-results');
    for (const d of [resultsDir]) rmSync(d, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(resultsDir, { recursive: true }));
    writeFileSync(path.join(resultsDir, 'comparison.json'), '{}');
    writeFileSync(path.join(resultsDir, 'report.md'), '# report');
    writeFileSync(path.join(tmp, 'summary.md'), '');
    writeFileSync(path.join(tmp, 'output.txt'), '');
    Object.assign(process.env, {
      GITHUB_STEP_SUMMARY: path.join(tmp, 'summary.md'),
      GITHUB_OUTPUT: path.join(tmp, 'output.txt'),
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '99',
      GITHUB_WORKSPACE: path.join(tmp, 'workspace'),
      ACTIONS_RUNTIME_TOKEN: fakeRuntimeToken(),
      ACTIONS_RESULTS_URL: artifacts.url,
    });
    process.exitCode = undefined;
  });
  afterEach(async () => {
    process.env = { ...saved };
    process.exitCode = undefined;
    await api.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const options = (fork: boolean, log: Logger, name: string, eventName = 'pull_request'): PublishOptions => {
    const eventPath = path.join(tmp, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify(
        eventName === 'pull_request'
          ? pullRequestEvent(fork)
          : { ref: 'refs/heads/main', repository: { full_name: 'acme/shop', default_branch: 'main' } },
      ),
    );
    process.env.GITHUB_EVENT_PATH = eventPath;
    process.env.GITHUB_EVENT_NAME = eventName;
    return {
      ctx: readRunContext(process.env),
      resultsDir,
      log,
      comment: { mode: 'always', id: 'perf/gate', token: 'ghs_x', clientOptions: { sleep: async () => undefined } },
      artifact: { enabled: true, name, retentionDays: 5, client: new DefaultArtifactClient() },
    };
  };

  it('APIs that accept the connection and never answer: the comment and the upload give up within their deadlines; summary, annotations and outputs are still written', async () => {
    const silentApi = await startSilentServer();
    const silentArtifacts = await startSilentServer();
    try {
      const { log, warnings } = capturingLogger();
      const base = options(false, log, 'silent-run');
      process.env.ACTIONS_RESULTS_URL = silentArtifacts.url;
      const published = await publishToGitHub(regressedResult(), {
        ...base,
        ctx: { ...base.ctx, apiUrl: silentApi.url },
        comment: { ...base.comment, clientOptions: { attemptTimeoutMs: 300, totalBudgetMs: 5000, baseDelayMs: 10 } },
        artifact: { ...base.artifact, deadlineMs: 1500 },
      });
      expect(published.artifact).toBeUndefined();
      expect(published.comment?.action).toBe('skipped');
      expect(silentApi.requests()).toBe(4);
      const text = warnings().join('\n');
      expect(text).toMatch(
        /could not upload the results as artifact "silent-run": the artifact service did not finish the upload within 1\.5 s/,
      );
      expect(text).toMatch(
        /could not post the PR comment: GitHub's API could not be reached \(GET .*\/comments: no answer within 300 ms\)\. The job summary still carries the report\./,
      );
      expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('performance regressed');
      // No artifact to link: the summary names the charts page by its path in the results folder.
      expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain(`\`${resultsDir}/gate-report.html\``);
      const outputs = parseOutputFile(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'));
      expect(outputs).toMatchObject({ result: 'regressed', failed: 'true', 'comment-url': '', 'artifact-id': '' });
    } finally {
      await silentApi.close();
      await silentArtifacts.close();
    }
  });

  it('on a fork PR with a read-only token (403) warns, still writes the summary and outputs, and leaves the job result alone', async () => {
    api.fail({ method: 'POST', path: /comments$/, status: 403, message: 'Resource not accessible by integration', times: Infinity });
    const { log, warnings } = capturingLogger();
    const result: GateResult = gateResult();
    const published = await publishToGitHub(result, options(true, log, 'fork-run'));
    expect(warnings().join('\n')).toMatch(/HTTP 403.*forks get a read-only GITHUB_TOKEN.*job summary/);
    expect(published.comment?.action).toBe('skipped');
    expect(process.exitCode).toBeUndefined();
    expect(result.failed).toBe(false);
    expect(published.outputs.result).toBe('passed');
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('k6-gate: passed');
    const outputs = parseOutputFile(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'));
    expect(outputs.result).toBe('passed');
    expect(outputs['comment-url']).toBe('');
    expect(outputs['artifact-id']).toBe(String(published.artifact?.id));
  });

  it('uploads the artifact first and links it from the comment, the job summary and the outputs', async () => {
    const { log } = capturingLogger();
    const published = await publishToGitHub(regressedResult(), options(false, log, 'linked-run'));
    const artifactUrl = `https://github.com/acme/shop/actions/runs/99/artifacts/${published.artifact?.id}`;
    expect(published.artifact?.url).toBe(artifactUrl);
    expect(artifacts.artifacts.find((a) => a.name === 'linked-run')?.files.has('comparison.json')).toBe(true);
    const [comment] = api.comments('acme', 'shop', 7);
    expect(comment.body).toContain('<!-- k6-gate:perf/gate -->');
    expect(comment.body).toContain(artifactUrl);
    expect(comment.body).toContain('```mermaid');
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toMatch(/\| `http_req_duration` \| p\(95\) +\| +180 ms \| +252 ms \|/);
    expect(summary).toContain('p(95)<200');
    expect(summary).toContain('xychart-beta');
    expect(summary).toContain(`[linked-run](${artifactUrl})`);
    expect(summary).toContain(comment.html_url);
    // The charts page is named where the reader is, with the artifact that holds it.
    const charts = `\`gate-report.html\` in the artifact [linked-run](${artifactUrl})`;
    expect(comment.body).toContain(charts);
    expect(summary).toContain(charts);
    const outputs = parseOutputFile(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'));
    expect(outputs).toMatchObject({
      result: 'regressed',
      regressions: '1',
      'thresholds-failed': '1',
      'artifact-url': artifactUrl,
      'comment-url': comment.html_url,
      failed: 'true',
    });
    expect(outputs['report-path']).toBe(path.join(resultsDir, 'report.md'));
  });

  it('on a push run posts no comment; the job summary carries the report', async () => {
    const { log, lines } = capturingLogger();
    const published = await publishToGitHub(regressedResult(), options(false, log, 'push-run', 'push'));
    expect(api.requests).toHaveLength(0);
    expect(published.comment).toMatchObject({ action: 'skipped' });
    expect(lines.some((l) => /no PR comment: a push run/.test(l.message))).toBe(true);
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('performance regressed');
  });

  it('an artifact upload failure is a warning, not a thrown error', async () => {
    const { log, warnings } = capturingLogger();
    await publishToGitHub(gateResult(), options(false, log, 'dup'));
    await publishToGitHub(gateResult(), options(false, log, 'dup'));
    expect(warnings().join('\n')).toMatch(/could not upload the results as artifact "dup"/);
  });
});
