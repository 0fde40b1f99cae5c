// The optional sharded GitLab job set: valid against GitLab's CI schema, and what a consumer gets
// as gitlab-ci-local evaluates it (N parallel shard jobs, one merge job that needs them).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT, gitlabCiSchema, initGitRepo, missingTools, parseListJson, runGitlabCiLocal } from '../gitlab/gitlab-ci-local.js';

const TEMPLATE = path.join(REPO_ROOT, 'gitlab-templates', 'k6-gate-sharded.gitlab-ci.yml');

describe('sharded GitLab template', () => {
  it('is a spec:inputs header and a body, both valid against the GitLab CI schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(gitlabCiSchema());
    const text = readFileSync(TEMPLATE, 'utf8');
    const docs = parseAllDocuments(text);
    expect(docs).toHaveLength(2);
    for (const doc of docs) expect(doc.errors).toEqual([]);
    const header = docs[0].toJS() as { spec: { inputs: Record<string, { description?: string; default?: unknown }> } };
    expect(validate(header), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const inputs = header.spec.inputs;
    for (const [name, input] of Object.entries(inputs)) expect(input.description, name).toBeTruthy();
    // The body is checked the way GitLab sees it: after `$[[ inputs.… ]]` takes its value.
    const values: Record<string, unknown> = { 'target-url': 'https://staging.example.com' };
    const body = text
      .slice(text.indexOf('\n---\n') + 5)
      .replace(/\$\[\[ inputs\.([a-z0-9-]+) \]\]/g, (_, name: string) => String(values[name] ?? inputs[name].default));
    expect(validate(parse(body)), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  describe.skipIf(missingTools().length > 0)('with gitlab-ci-local', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-gitlab-sharded-'));
      mkdirSync(path.join(dir, 'templates'));
      cpSync(TEMPLATE, path.join(dir, 'templates', 'k6-gate-sharded.gitlab-ci.yml'));
      writeFileSync(
        path.join(dir, '.gitlab-ci.yml'),
        [
          'include:',
          '  - local: templates/k6-gate-sharded.gitlab-ci.yml',
          '    inputs:',
          '      target-url: https://staging.example.com',
          '      shards: 4',
          '      cli: node dist/cli.js',
          '',
        ].join('\n'),
      );
      initGitRepo(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('expands to 4 parallel shard jobs with $CI_NODE_INDEX/$CI_NODE_TOTAL and a merge job that needs them', async () => {
      const list = await runGitlabCiLocal(dir, ['--list-json']);
      expect(list.code, list.stderr + list.stdout).toBe(0);
      const names = parseListJson(list.stdout).map((j) => j.name);
      expect(names).toEqual([
        'k6-gate:shard: [1/4]',
        'k6-gate:shard: [2/4]',
        'k6-gate:shard: [3/4]',
        'k6-gate:shard: [4/4]',
        'k6-gate:merge',
      ]);

      const preview = await runGitlabCiLocal(dir, ['--preview']);
      expect(preview.code, preview.stderr).toBe(0);
      const expanded = parse(preview.stdout) as Record<string, { script: string[]; needs?: unknown; parallel?: number }>;
      const shard = expanded['k6-gate:shard'];
      expect(shard.parallel).toBe(4);
      expect(shard.script.join(' ')).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
      expect(shard.script.join(' ')).toContain('--results-dir "k6-gate-results/shards"');
      const merge = expanded['k6-gate:merge'];
      expect(merge.needs).toEqual([expect.objectContaining({ job: 'k6-gate:shard', artifacts: true })]);
      expect(merge.script.join(' ')).toMatch(/node dist\/cli\.js merge http-endpoints --from "k6-gate-results\/shards"/);
    }, 120_000);
  });
});
