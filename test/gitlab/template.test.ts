// The GitLab include template: valid against GitLab's CI schema, and the jobs a consumer gets for
// each kind of pipeline, as gitlab-ci-local evaluates the rules.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  REPO_ROOT,
  gitlabCiSchema,
  initGitRepo,
  missingTools,
  parseListJson,
  runGitlabCiLocal,
  type ListedJob,
} from './gitlab-ci-local.js';

const TEMPLATE = path.join(REPO_ROOT, 'gitlab-templates', 'k6-gate.gitlab-ci.yml');

let validate: ValidateFunction;

beforeAll(() => {
  // GitLab's schema uses its own keywords (markdownDescription) and formats ajv does not ship.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  validate = ajv.compile(gitlabCiSchema());
});

function errorsOf(doc: unknown): string {
  return validate(doc) ? '' : JSON.stringify(validate.errors?.slice(0, 5), null, 2);
}

describe('template against the GitLab CI schema', () => {
  const docs = parseAllDocuments(readFileSync(TEMPLATE, 'utf8'));

  it('is a spec:inputs header and a body, both valid', () => {
    expect(docs).toHaveLength(2);
    for (const doc of docs) expect(doc.errors).toEqual([]);
    const [header, body] = docs.map((d) => d.toJS() as Record<string, unknown>);
    expect(Object.keys(header)).toEqual(['spec']);
    expect(errorsOf(header)).toBe('');
    expect(errorsOf(body)).toBe('');
  });

  it('declares every input with a description, and types, defaults and options where they matter', () => {
    const inputs = (
      docs[0].toJS() as {
        spec: { inputs: Record<string, { description?: string; type?: string; default?: unknown; options?: unknown[]; regex?: string }> };
      }
    ).spec.inputs;
    expect(Object.keys(inputs)).toEqual([
      'stage',
      'image',
      'cli',
      'k6-version',
      'scenarios',
      'profile',
      'scheduled-profile',
      'baseline',
      'staging-url',
      'production-url',
      'fail-on',
      'results-dir',
      'mr-note',
      'baseline-target',
      'args',
    ]);
    for (const [name, input] of Object.entries(inputs)) {
      expect(input.description, name).toBeTruthy();
      expect('default' in input, `${name} has a default`).toBe(true);
    }
    expect(inputs.cli.default).toBe('npx -y k6-gate@0.1.0');
    expect(inputs['mr-note']).toMatchObject({ type: 'boolean', default: true });
    expect(inputs['fail-on'].options).toContain(inputs['fail-on'].default);
    expect(inputs['scheduled-profile'].options).toEqual(['none', 'load', 'stress', 'spike', 'soak', 'breakpoint']);
    expect(new RegExp(inputs['k6-version'].regex!).test(String(inputs['k6-version'].default))).toBe(true);
    // The pinned npm version follows the package version, so a release never points at an older CLI.
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(inputs.cli.default).toBe(`npx -y k6-gate@${pkg.version}`);
  });

  it('would catch a broken job (the validator is not vacuous)', () => {
    const body = docs[1].toJS() as Record<string, Record<string, unknown>>;
    const broken = { ...body, 'k6-gate:production': { ...body['k6-gate:production'], resource_group: ['x'], when: 'sometimes' } };
    expect(errorsOf(broken)).not.toBe('');
  });
});

const missing = missingTools();

describe.skipIf(missing.length > 0)('jobs a consumer gets (gitlab-ci-local --list-json)', () => {
  let dir: string;

  function consumer(inputs: Record<string, unknown>): string {
    const lines = ['stages: [build, test]', 'include:', '  - local: templates/k6-gate.gitlab-ci.yml', '    inputs:'];
    for (const [k, v] of Object.entries(inputs)) lines.push(`      ${k}: ${JSON.stringify(v)}`);
    return `${lines.join('\n')}\n`;
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-gitlab-list-'));
    mkdirSync(path.join(dir, 'templates'));
    cpSync(TEMPLATE, path.join(dir, 'templates', 'k6-gate.gitlab-ci.yml'));
    writeFileSync(
      path.join(dir, '.gitlab-ci.yml'),
      consumer({
        'staging-url': 'https://staging.example.com',
        'production-url': 'https://www.example.com',
        cli: 'node dist/cli.js',
        'scheduled-profile': 'stress',
      }),
    );
    writeFileSync(path.join(dir, 'only-staging.gitlab-ci.yml'), consumer({ 'staging-url': 'https://staging.example.com' }));
    initGitRepo(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function jobs(...args: string[]): Promise<Record<string, Pick<ListedJob, 'when' | 'allow_failure' | 'stage'>>> {
    const run = await runGitlabCiLocal(dir, [
      '--list-json',
      '--ignore-predefined-vars',
      'CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_MERGE_REQUEST_IID',
      ...args,
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out: Record<string, Pick<ListedJob, 'when' | 'allow_failure' | 'stage'>> = {};
    for (const job of parseListJson(run.stdout)) {
      if (job.when !== 'never') out[job.name] = { when: job.when, allow_failure: job.allow_failure, stage: job.stage };
    }
    return out;
  }

  it('default branch: a manual staging job that may fail and a manual production job that blocks', async () => {
    expect(await jobs()).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: 'test' },
      'k6-gate:production': { when: 'manual', allow_failure: false, stage: 'test' },
    });
  });

  it('merge-request pipeline: only the manual staging job', async () => {
    expect(
      await jobs(
        '--variable',
        'CI_PIPELINE_SOURCE=merge_request_event',
        '--variable',
        'CI_MERGE_REQUEST_IID=12',
        '--unset-variable',
        'CI_COMMIT_BRANCH',
      ),
    ).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: 'test' },
    });
  });

  it('push to another branch: no k6-gate job', async () => {
    expect(await jobs('--variable', 'CI_COMMIT_BRANCH=feature/x')).toEqual({});
  });

  it('scheduled pipeline: only the scheduled job, automatic and blocking', async () => {
    expect(await jobs('--variable', 'CI_PIPELINE_SOURCE=schedule')).toEqual({
      'k6-gate:scheduled': { when: 'on_success', allow_failure: false, stage: 'test' },
    });
  });

  it('leaves out jobs whose URL is not given, and the scheduled job while scheduled-profile is none', async () => {
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml')).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: 'test' },
    });
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml', '--variable', 'CI_PIPELINE_SOURCE=schedule')).toEqual({});
  });

  it('the consumer file with inputs interpolated is valid against the schema too', async () => {
    const run = await runGitlabCiLocal(dir, ['--preview']);
    expect(run.code, run.stderr).toBe(0);
    const expanded = parse(run.stdout.slice(run.stdout.indexOf('---') >= 0 ? run.stdout.indexOf('---') + 3 : 0)) as Record<
      string,
      Record<string, unknown>
    >;
    expect(errorsOf(expanded)).toBe('');
    const production = expanded['k6-gate:production'] as {
      resource_group: string;
      environment: { name: string };
      script: string[];
      artifacts: { when: string; expose_as: string; reports: Record<string, string> };
    };
    expect(production.resource_group).toBe('k6-gate-production');
    expect(production.environment.name).toBe('production');
    expect(production.script.join('\n')).toMatch(/^node dist\/cli\.js run http-endpoints /);
    expect(production.artifacts).toMatchObject({
      when: 'always',
      expose_as: 'k6-gate report',
      reports: {
        junit: 'k6-gate-results/junit.xml',
        load_performance: 'k6-gate-results/load-performance.json',
        dotenv: 'k6-gate-results/k6-gate.env',
      },
    });
  });
});

if (missing.length > 0) {
  describe('gitlab-ci-local prerequisites', () => {
    it.skip(`skipped: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`, () => {});
  });
}
