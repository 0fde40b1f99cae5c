// The optional sharded GitLab job set: valid against GitLab's CI schema, and what a consumer gets
// as gitlab-ci-local evaluates it (N parallel shard jobs, one merge job that needs them).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  REPO_ROOT,
  gitlabCiSchema,
  initGitRepo,
  jobArtifacts,
  jobLog,
  missingTools,
  parseDotenv,
  parseListJson,
  runGitlabCiLocal,
} from '../gitlab/gitlab-ci-local.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';

const TEMPLATE = path.join(REPO_ROOT, 'templates', 'k6-gate-sharded.yml');

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
      cpSync(TEMPLATE, path.join(dir, 'templates', 'k6-gate-sharded.yml'));
      writeFileSync(
        path.join(dir, '.gitlab-ci.yml'),
        [
          'include:',
          '  - local: templates/k6-gate-sharded.yml',
          '    inputs:',
          '      target-url: https://staging.example.com',
          '      shards: 4',
          '      cli: node dist/cli.js',
          '      args: --env VUS=40',
          '      merge-args: --tolerance 0.2 --config k6-gate.config.yaml',
          '',
        ].join('\n'),
      );
      initGitRepo(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const source = (value: string) => ['--ignore-predefined-vars', 'CI_PIPELINE_SOURCE', '--variable', `CI_PIPELINE_SOURCE=${value}`];

    it('runs only in scheduled pipelines and pipelines started by hand, never on a push or a merge request', async () => {
      for (const kind of ['push', 'merge_request_event']) {
        const list = await runGitlabCiLocal(dir, ['--list-json', ...source(kind)]);
        expect(list.code, list.stderr + list.stdout).toBe(0);
        expect(
          parseListJson(list.stdout).filter((j) => j.when !== 'never'),
          kind,
        ).toEqual([]);
      }
      for (const kind of ['schedule', 'web', 'api', 'parent_pipeline']) {
        const list = await runGitlabCiLocal(dir, ['--list-json', ...source(kind)]);
        expect(
          parseListJson(list.stdout)
            .filter((j) => j.when !== 'never')
            .map((j) => j.name),
          kind,
        ).toHaveLength(5);
      }
    }, 120_000);

    it('is switched off by the documented rules override on both its jobs: only schedules that ask for it run it', async () => {
      writeFileSync(
        path.join(dir, 'sharded-nightly-only.gitlab-ci.yml'),
        [
          readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8').trimEnd(),
          ...['k6-gate:shard', 'k6-gate:merge'].flatMap((job) => [
            `${job}:`,
            '  rules:',
            '    - if: $CI_PIPELINE_SOURCE == "schedule" && $K6_GATE_NIGHTLY == "true"',
          ]),
          '',
        ].join('\n'),
      );
      const running = async (kind: string, ...extra: string[]) => {
        const list = await runGitlabCiLocal(dir, [
          '--list-json',
          '--file',
          'sharded-nightly-only.gitlab-ci.yml',
          ...source(kind),
          ...extra,
        ]);
        expect(list.code, list.stderr + list.stdout).toBe(0);
        return parseListJson(list.stdout).filter((j) => j.when !== 'never');
      };
      // A schedule that does not ask for the sharded test runs none of it, a web pipeline neither.
      expect(await running('schedule')).toEqual([]);
      expect(await running('web')).toEqual([]);
      const asked = await running('schedule', '--variable', 'K6_GATE_NIGHTLY=true');
      expect(asked.map((j) => j.name)).toHaveLength(5);
      expect(asked.some((j) => j.name === 'k6-gate:merge')).toBe(true);
      const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'gitlab.md'), 'utf8');
      expect(doc).toContain('give both the same `rules`');
    }, 120_000);

    it('expands to 4 parallel shard jobs with $CI_NODE_INDEX/$CI_NODE_TOTAL and a merge job that needs them', async () => {
      const list = await runGitlabCiLocal(dir, ['--list-json', ...source('schedule')]);
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
      const expanded = parse(preview.stdout) as Record<
        string,
        {
          script: string[];
          needs?: unknown;
          parallel?: number;
          environment?: { name: string; action: string };
          resource_group?: string;
          artifacts: { paths: string[]; exclude?: string[]; expire_in: string };
        }
      >;
      const shard = expanded['k6-gate:shard'];
      expect(shard.parallel).toBe(4);
      expect(shard.script.join(' ')).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
      expect(shard.script.join(' ')).toContain('--results-dir "k6-gate-results/shards"');
      const merge = expanded['k6-gate:merge'];
      expect(merge.needs).toEqual([expect.objectContaining({ job: 'k6-gate:shard', artifacts: true })]);
      expect(merge.script).toContain("k6_gate_cli='node dist/cli.js'");
      expect(merge.script.join(' ')).toMatch(/\$k6_gate_cli merge http-endpoints --from "k6-gate-results\/shards"/);
      // The rule options (merge-args) reach the merge job, which compares; args reach the shards only.
      expect(merge.script).toContain("k6_gate_args='--tolerance 0.2 --config k6-gate.config.yaml'");
      expect(shard.script).toContain("k6_gate_args='--env VUS=40'");
      expect(merge.script.join(' ')).toMatch(/--fail-on "regression,thresholds" \$k6_gate_args$/);
      // The baseline file is in the merge job's artifacts: an update through merge-args is not lost.
      expect(merge.artifacts.paths).toEqual(['k6-gate-results/', 'k6-baseline.json']);
      // An environment on every job; the merge job holds the environment's resource group (the shards
      // cannot: a resource group runs its jobs one at a time).
      expect(shard.environment).toEqual({ name: 'staging', action: 'verify' });
      expect(merge.environment).toEqual({ name: 'staging', action: 'verify' });
      expect(merge.resource_group).toBe('k6-gate-staging');
      expect(shard.resource_group).toBeUndefined();
      // Every shard's log travels to the merge job under its own name; the merge job keeps its reports
      // for expire-in but not the raw shard samples again.
      expect(shard.artifacts.paths).toContain('k6-gate-results/shards/k6-*.shard-*.log');
      expect(shard.artifacts.paths).toContain('k6-gate-results/shards/state-*.shard-*.json');
      expect(shard.artifacts.expire_in).toBe('1 day');
      expect(merge.artifacts.exclude).toEqual(['k6-gate-results/shards/*.json.gz']);
      expect(merge.artifacts.expire_in).toBe('30 days');
    }, 120_000);

    it('takes 2 to 50 shards; 0, 1 and 51 stop at include time with a message naming the input', async () => {
      for (const shards of [0, 1, 51, 2, 50]) {
        const file = `shards-${shards}.gitlab-ci.yml`;
        writeFileSync(
          path.join(dir, file),
          [
            'include:',
            '  - local: templates/k6-gate-sharded.yml',
            '    inputs:',
            '      target-url: https://staging.example.com',
            `      shards: ${shards}`,
            '',
          ].join('\n'),
        );
        const list = await runGitlabCiLocal(dir, ['--list-json', '--file', file, ...source('schedule')]);
        if (shards >= 2 && shards <= 50) {
          expect(list.code, list.stderr).toBe(0);
          expect(parseListJson(list.stdout)).toHaveLength(shards + 1);
        } else {
          expect(list.code, `shards: ${shards}`).not.toBe(0);
          expect(list.stderr + list.stdout).toContain(
            `\`shards\` input: \`${shards}\` cannot be used because it is not in the list of allowed options`,
          );
        }
      }
    }, 120_000);

    it("the docs' nightly example cannot deadlock: the trigger job's resource group is not the child merge job's", () => {
      const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'scale-out.md'), 'utf8');
      const block = /```yaml\n(nightly-load:[\s\S]*?)```/.exec(doc)?.[1];
      expect(block).toBeDefined();
      const example = parse(block!) as {
        'nightly-load': { resource_group: string; trigger: { include: { inputs: Record<string, string> }[]; strategy: string } };
      };
      const job = example['nightly-load'];
      const inputs = job.trigger.include[0].inputs;
      const header = parseAllDocuments(readFileSync(TEMPLATE, 'utf8'))[0].toJS() as {
        spec: { inputs: Record<string, { default?: string }> };
      };
      const prefix = inputs['job-prefix'] ?? header.spec.inputs['job-prefix'].default;
      const environment = inputs.environment ?? header.spec.inputs.environment.default;
      // strategy: depend holds the trigger job (and its group) until the child pipeline ends.
      expect(job.trigger.strategy).toBe('depend');
      expect(job.resource_group).toBe('k6-gate-staging');
      expect(`${prefix}-${environment}`).not.toBe(job.resource_group);
    });
  });
  describe.skipIf(missingTools().length > 0)('a scheduled pipeline run by gitlab-ci-local (2 shards, real k6, demo target)', () => {
    let dir: string;
    let target: DemoTarget;
    beforeAll(async () => {
      target = await startDemoTarget({ seed: 21 });
      dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-gitlab-sharded-run-'));
      mkdirSync(path.join(dir, 'templates'));
      cpSync(TEMPLATE, path.join(dir, 'templates', 'k6-gate-sharded.yml'));
      cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
      cpSync(path.join(REPO_ROOT, 'scenarios'), path.join(dir, 'scenarios'), { recursive: true });
      writeFileSync(
        path.join(dir, '.gitlab-ci.yml'),
        [
          'include:',
          '  - local: templates/k6-gate-sharded.yml',
          '    inputs:',
          `      target-url: ${target.url}`,
          '      shards: 2',
          '      profile: smoke',
          '      cli: node dist/cli.js',
          `      args: "--env VUS=2 --env DURATION=2s --k6-path ${testK6Path()}"`,
          // Rule options for the merge job: record the merged run as the baseline.
          '      merge-args: --update-baseline force --tolerance 0.3',
          '',
        ].join('\n'),
      );
      initGitRepo(dir);
    }, 60_000);
    afterAll(async () => {
      await target?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('every shard log reaches the merge job under its own name; the merge job gates, exports its own dotenv keys and does not re-archive raw samples', async () => {
      const cache = path.join(dir, '.k6-gate-cache');
      const run = await runGitlabCiLocal(
        dir,
        [
          // Each job in its own copy of the project, as parallel jobs on a runner are (shards then never share a results dir).
          ...['--force-shell-executor', '--shell-isolation', '--max-job-name-padding', '0'],
          ...['--variable', 'GITLAB_CI=true', '--variable', 'CI_PIPELINE_SOURCE=schedule'],
          ...['--variable', `XDG_CACHE_HOME=${cache}`, '--variable', `npm_config_cache=${path.join(cache, 'npm')}`],
          ...['--ignore-predefined-vars', 'GITLAB_CI,CI_PIPELINE_SOURCE'],
        ],
        { timeoutMs: 150_000 },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/PASS\s+k6-gate:merge/);
      const merged = jobArtifacts(dir, 'merge');
      const shards = readdirSync(path.join(merged, 'shards')).sort();
      expect(shards).toEqual(
        expect.arrayContaining([
          'k6-http-endpoints.shard-1-of-2.log',
          'k6-http-endpoints.shard-2-of-2.log',
          'summary-http-endpoints.shard-1-of-2.json',
          'state-http-endpoints.shard-1-of-2.json',
          'state-http-endpoints.shard-2-of-2.json',
        ]),
      );
      expect(shards.filter((name) => name.endsWith('.json.gz'))).toEqual([]);
      for (const i of [1, 2]) {
        expect(readFileSync(path.join(merged, 'shards', `k6-http-endpoints.shard-${i}-of-2.log`), 'utf8')).toContain('http_reqs');
      }
      expect(parseDotenv(readFileSync(path.join(merged, 'k6-gate.env'), 'utf8'))).toMatchObject({ K6_GATE_SHARDED_RESULT: 'passed' });
      expect(jobLog(dir, 'merge')).toMatch(/merging 2 shard state file\(s\) of http-endpoints/);
      // merge-args reached the merge job, and the baseline it updated is in its artifacts, not lost.
      const baseline = JSON.parse(readFileSync(path.join(merged, '..', 'k6-baseline.json'), 'utf8')) as {
        scenarios: Record<string, unknown>;
      };
      expect(Object.keys(baseline.scenarios)).toEqual(['http-endpoints@smoke@staging']);
    }, 150_000);
  });
});
