// The real @actions/artifact client against a local fake of the artifact service.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src/input-spec.js';

const parseRetentionDays = (text: string) => parseInput('retention-days', text);
import { listResultFiles, uploadResultsArtifact } from '../../src/platform/github/artifacts.js';
import { fakeRuntimeToken, startFakeArtifactService, type FakeArtifactService } from './fakes/artifact-service.js';

describe('results artifact', () => {
  let service: FakeArtifactService;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    service = await startFakeArtifactService();
    process.env.ACTIONS_RUNTIME_TOKEN = fakeRuntimeToken();
    process.env.ACTIONS_RESULTS_URL = service.url;
    process.env.GITHUB_SERVER_URL = 'https://github.com';
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-artifact-'));
    writeFileSync(path.join(dir, 'comparison.json'), '{"outcome":"regressed"}\n');
    writeFileSync(path.join(dir, 'report.md'), '## report\n');
    writeFileSync(path.join(dir, 'k6-smoke.log'), 'running...\n'.repeat(2000));
    mkdirSync(path.join(dir, 'shards'));
    writeFileSync(path.join(dir, 'shards', 'summary-0.json'), '{}');
  });

  afterAll(async () => {
    process.env = saved;
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every file below the results dir, nested ones too', () => {
    expect(listResultFiles(dir).map((f) => path.relative(dir, f))).toEqual([
      'comparison.json',
      'k6-smoke.log',
      'report.md',
      path.join('shards', 'summary-0.json'),
    ]);
  });

  it('uploads all files through CreateArtifact, blob blocks and FinalizeArtifact, with the retention', async () => {
    const uploaded = await uploadResultsArtifact({ dir, name: 'k6-gate-smoke', retentionDays: 3, client: new DefaultArtifactClient() });
    expect(uploaded?.id).toBeGreaterThan(0);
    const seen = service.artifacts.find((a) => a.name === 'k6-gate-smoke');
    expect(seen?.finalized).toBe(true);
    expect(seen?.id).toBe(uploaded?.id);
    expect(seen?.workflowRunBackendId).toBe('run-backend-1');
    expect([...seen!.files.keys()].sort()).toEqual(['comparison.json', 'k6-smoke.log', 'report.md', 'shards/summary-0.json']);
    expect(seen!.files.get('comparison.json')?.toString()).toBe('{"outcome":"regressed"}\n');
    expect(seen!.files.get('k6-smoke.log')?.length).toBe('running...\n'.length * 2000);
    const expires = Date.parse(seen!.expiresAt ?? '');
    expect(expires - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    expect(expires - Date.now()).toBeLessThan(3.1 * 86_400_000);
    expect(seen!.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(service.authorizations.every((a) => a === `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN}`)).toBe(true);
  });

  it('refuses retention-days outside 1..90 with the bad value quoted', () => {
    expect(parseRetentionDays('')).toBeUndefined();
    expect(parseRetentionDays('14')).toBe(14);
    expect(() => parseRetentionDays('365')).toThrow(/retention-days "365".*1 to 90/);
    expect(() => parseRetentionDays('two')).toThrow(/"two"/);
  });
});
