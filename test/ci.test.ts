// The repository's CI runs what a developer runs: `npm test` (scripts/test.sh), in both places.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('CI', () => {
  it('the GitHub workflow runs the same `npm test` as .ci/run, not a bare vitest', () => {
    const workflow = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run?.trim()).filter(Boolean));
    expect(runs).toContain('npm test');
    expect(runs.filter((run) => /\bvitest\b/.test(run!))).toEqual([]);
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci && npm test$/m);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.test).toBe('bash scripts/test.sh');
  });
});
