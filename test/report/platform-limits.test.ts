// The report's one shortening rule as each platform applies it, end to end with the real clients
// against the local fakes: the PR comment (Octokit → fake GitHub API), the job summary (1 MiB,
// counted in bytes) and the MR note (fetch → fake GitLab). The case is issue 26's: two scenarios
// with 1,200 k6 thresholds each, the second crossing one.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTerminalLogger } from '../../src/log.js';
import type { GateResult, ThresholdResult } from '../../src/model.js';
import { GITHUB_COMMENT_LIMIT, commentMarker, upsertStickyComment } from '../../src/platform/github/comment.js';
import { createGitHubClient } from '../../src/platform/github/octokit.js';
import { renderCommentBody } from '../../src/platform/github/publish.js';
import { renderJobSummary } from '../../src/platform/github/summary.js';
import { GITLAB_NOTE_LIMIT } from '../../src/platform/gitlab/client.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../github/fakes/github-api.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { gateResult, scenarioResult } from '../helpers/builders.js';

function thresholds(n: number, crossed: number[]): ThresholdResult[] {
  return Array.from({ length: n }, (_, i) => ({
    metric: `http_req_duration{name:endpoint-${String(i).padStart(5, '0')}}`,
    expression: 'p(95)<500',
    ok: !crossed.includes(i),
  }));
}

/** Two scenarios with `n` thresholds each; the second crosses one near its end. */
function twoScenarios(n: number): GateResult {
  const crossedAt = n - 83;
  return gateResult({
    outcome: 'thresholds-failed',
    failed: true,
    thresholdsFailed: 1,
    scenarios: [
      scenarioResult({ scenario: 'browse', key: 'browse@smoke', thresholds: thresholds(n, []) }),
      scenarioResult({
        scenario: 'checkout',
        key: 'checkout@smoke',
        outcome: 'thresholds-failed',
        exitCode: 99,
        thresholds: thresholds(n, [crossedAt]),
      }),
    ],
  });
}

const crossedRow = (n: number) => `\`http_req_duration{name:endpoint-${String(n - 83).padStart(5, '0')}}\`: \`p(95)<500\` | ❌ crossed`;

describe('a report larger than the platform allows', () => {
  let api: FakeGitHubApi;
  beforeEach(async () => {
    api = await startFakeGitHubApi();
  });
  afterEach(() => api.close());

  it('the PR comment keeps the failing scenario and its crossed threshold, and names the real limit', async () => {
    const marker = commentMarker('perf/gate');
    const artifact = 'https://github.com/acme/shop/actions/runs/99/artifacts/4242';
    const body = renderCommentBody(twoScenarios(1200), marker, [], artifact);
    const client = createGitHubClient({ token: 'ghs_limits', baseUrl: api.url, baseDelayMs: 1 });
    await upsertStickyComment(client, { owner: 'acme', repo: 'shop', issueNumber: 7 }, marker, body);
    const [posted] = api.comments('acme', 'shop', 7);
    expect(posted.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(posted.body.startsWith(marker)).toBe(true);
    expect(posted.body).toContain('### ❌ checkout · profile smoke — thresholds crossed');
    expect(posted.body).toContain(crossedRow(1200));
    expect(posted.body).toContain("shortened** to fit GitHub's 65,536-character comment limit: left out 2,399 passed thresholds");
    expect(posted.body).toContain(`[report.md in the run's artifacts](${artifact})`);
    expect(posted.body).not.toMatch(/64,9\d\d/);
  });

  it('the job summary stays under 1 MiB counted in bytes, with the failing row', () => {
    const result = twoScenarios(9_000);
    const summary = renderJobSummary(result, { artifact: { name: 'k6-gate-results', url: 'https://x.example/a/1', files: [] } });
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000_000);
    expect(summary).toContain(crossedRow(9_000));
    expect(summary).toContain("shortened** to fit GitHub's 1 MiB job-summary limit");
  });
});

describe('the MR note over its limit', () => {
  const TOKEN = 'glpat-limits-123';
  let fake: FakeGitLab;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-report-limits-'));
    fake = await startFakeGitLab({ token: TOKEN, projectId: '42' });
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the failing scenario and its crossed threshold, and names GitLab’s limit', async () => {
    const env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: fake.apiUrl,
      CI_PROJECT_ID: '42',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      CI_JOB_NAME: 'k6-gate:staging',
      CI_MERGE_REQUEST_IID: '7',
      K6_GATE_GITLAB_TOKEN: TOKEN,
    };
    const log = createTerminalLogger({ write: () => undefined });
    await publishGitLab(twoScenarios(9_000), { resultsDir: dir, log, env });
    const [note] = fake.notes.get('42!7')!;
    expect(note.body.length).toBeLessThanOrEqual(GITLAB_NOTE_LIMIT);
    expect(note.body).toContain(crossedRow(9_000));
    expect(note.body).toContain("shortened** to fit GitLab's 1,000,000-character note limit");
  });
});
