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

const TEMPLATE = path.join(REPO_ROOT, 'templates', 'k6-gate.yml');

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
      'job-prefix',
      'stage',
      'image',
      'cli',
      'k6-version',
      'scenarios',
      'baseline',
      'staging-url',
      'staging-environment',
      'staging-profile',
      'staging-fail-on',
      'production-url',
      'production-environment',
      'production-profile',
      'production-fail-on',
      'scheduled-profile',
      'scheduled-fail-on',
      'results-dir',
      'expire-in',
      'mr-note',
      'metrics-output',
      'analysis',
      'endpoints-top',
      'notify',
      'notify-on',
      'allow-new-baseline',
      'baseline-target',
      'ab-design',
      'ab-min-effect',
      'max-duration',
      'load-performance',
      'args',
    ]);
    for (const [name, input] of Object.entries(inputs)) {
      expect(input.description, name).toBeTruthy();
      expect('default' in input, `${name} has a default`).toBe(true);
    }
    // The default CLI is the default image's own; the npx path is an option (test/release/version.test.ts
    // ties the image tag and the npx version to package.json).
    expect(inputs.cli.default).toBe('k6-gate');
    expect(inputs['mr-note']).toMatchObject({ type: 'boolean', default: true });
    expect(inputs.analysis).toMatchObject({ type: 'boolean', default: true });
    expect(inputs['endpoints-top']).toMatchObject({ type: 'number', default: 10 });
    expect(inputs['ab-design']).toMatchObject({ default: 'duet', options: ['duet', 'abba'] });
    for (const name of ['staging-fail-on', 'production-fail-on', 'scheduled-fail-on']) {
      expect(inputs[name].options).toContain(inputs[name].default);
    }
    expect(inputs['scheduled-profile'].options).toEqual(['none', 'load', 'stress', 'spike', 'soak', 'breakpoint']);
    for (const [name, input] of Object.entries(inputs)) {
      if (input.regex) expect(new RegExp(input.regex).test(String(input.default)), `${name}'s default matches its regex`).toBe(true);
    }
  });

  it('validates URL, path and name inputs by regex, so a typo stops at include time', () => {
    const inputs = (docs[0].toJS() as { spec: { inputs: Record<string, { regex?: string }> } }).spec.inputs;
    const accepts = (name: string, value: string) => new RegExp(inputs[name].regex!).test(value);
    expect(accepts('staging-url', 'https://staging.example.com/shop')).toBe(true);
    expect(accepts('staging-url', '')).toBe(true);
    expect(accepts('production-url', 'http://10.0.0.7:8080')).toBe(true);
    for (const bad of ['staging.example.com', 'ftp://x', 'https://x" || "a', 'https://$(id)', 'https://a b']) {
      expect(accepts('production-url', bad), bad).toBe(false);
    }
    expect(accepts('baseline', 'perf/k6-baseline.json')).toBe(true);
    expect(accepts('baseline', '/etc/passwd')).toBe(false);
    expect(accepts('baseline', 'a b.json')).toBe(false);
    expect(accepts('results-dir', '../outside')).toBe(false);
    expect(accepts('job-prefix', 'perf-eu')).toBe(true);
    expect(accepts('job-prefix', 'a:b')).toBe(false);
    expect(accepts('expire-in', '1 week')).toBe(true);
    expect(accepts('expire-in', '3 mos 2 days')).toBe(true);
    expect(accepts('expire-in', 'never')).toBe(true);
    expect(accepts('expire-in', 'soon')).toBe(false);
  });

  it('docs/gitlab.md lists every input with its default, in the template order', () => {
    const inputs = (docs[0].toJS() as { spec: { inputs: Record<string, { default?: unknown }> } }).spec.inputs;
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'gitlab.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Inputs'), doc.indexOf('\n\n', doc.indexOf('| --- |', doc.indexOf('## Inputs'))));
    const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| (?:`([^`]*)`|empty) \|/gm)].map((m) => [m[1], m[2] ?? '']);
    expect(rows).toEqual(Object.entries(inputs).map(([name, input]) => [name, String(input.default)]));
  });

  it('would catch a broken job (the validator is not vacuous)', () => {
    const body = docs[1].toJS() as Record<string, Record<string, unknown>>;
    const broken = { ...body, 'k6-gate:production': { ...body['k6-gate:production'], resource_group: ['x'], when: 'sometimes' } };
    expect(errorsOf(broken)).not.toBe('');
  });
});

describe('template defaults and action.yml defaults', () => {
  const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string; required?: boolean }>;
  };
  const templateInputs = (file: string) =>
    (
      parseAllDocuments(readFileSync(path.join(REPO_ROOT, 'templates', file), 'utf8'))[0].toJS() as {
        spec: { inputs: Record<string, { default?: unknown }> };
      }
    ).spec.inputs;

  it('an input named like an action input has the action’s default, but for the differences named here', () => {
    // Where a template means something else on purpose: the action's scenarios input is required (a
    // workflow names its scripts), the sharded set exists for heavy load on one GitLab environment.
    const intended = [
      'k6-gate.yml scenarios: http-endpoints (action: none)',
      'k6-gate-sharded.yml scenarios: http-endpoints (action: none)',
      'k6-gate-sharded.yml profile: load (action: )',
      'k6-gate-sharded.yml environment: staging (action: )',
    ];
    const differences: string[] = [];
    let shared = 0;
    for (const file of ['k6-gate.yml', 'k6-gate-sharded.yml']) {
      for (const [name, input] of Object.entries(templateInputs(file))) {
        if (!(name in action.inputs)) continue;
        shared++;
        const theirs = action.inputs[name].default;
        // GitLab inputs are typed (true, 10); action inputs are text ('true', '10').
        if (String(input.default) !== theirs) differences.push(`${file} ${name}: ${String(input.default)} (action: ${theirs ?? 'none'})`);
      }
    }
    expect(shared).toBeGreaterThan(10);
    expect(differences).toEqual(intended);
  });

  it('the live-analysis inputs are the action’s, with its defaults', () => {
    const inputs = templateInputs('k6-gate.yml');
    for (const name of ['analysis', 'endpoints-top']) {
      expect(action.inputs[name].default, name).toBeDefined();
      expect(String(inputs[name].default), name).toBe(action.inputs[name].default);
    }
  });
});

const missing = missingTools();

interface PreviewJob {
  script: string[];
  resource_group?: string;
  environment?: { name: string };
  variables?: Record<string, string>;
  cache?: unknown;
  artifacts?: Record<string, unknown>;
}

describe.skipIf(missing.length > 0)('jobs a consumer gets (gitlab-ci-local --list-json)', () => {
  let dir: string;

  function consumer(inputs: Record<string, unknown>): string {
    const lines = ['stages: [build, test]', 'include:', '  - local: templates/k6-gate.yml', '    inputs:'];
    for (const [k, v] of Object.entries(inputs)) lines.push(`      ${k}: ${JSON.stringify(v)}`);
    return `${lines.join('\n')}\n`;
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-gitlab-list-'));
    mkdirSync(path.join(dir, 'templates'));
    cpSync(TEMPLATE, path.join(dir, 'templates', 'k6-gate.yml'));
    writeFileSync(
      path.join(dir, '.gitlab-ci.yml'),
      consumer({
        'staging-url': 'https://staging.example.com',
        'production-url': 'https://www.example.com',
        cli: 'node dist/cli.js',
        'scheduled-profile': 'stress',
        'metrics-output': 'prometheus=https://prom.example.com/api/v1/write',
      }),
    );
    writeFileSync(path.join(dir, 'only-staging.gitlab-ci.yml'), consumer({ 'staging-url': 'https://staging.example.com' }));
    writeFileSync(
      path.join(dir, 'split-policy.gitlab-ci.yml'),
      consumer({
        'staging-url': 'https://staging.example.com',
        'production-url': 'https://www.example.com',
        'staging-fail-on': 'none',
        'staging-profile': 'load',
        'staging-environment': 'staging-eu',
        'scheduled-profile': 'soak',
        'expire-in': '1 week',
      }),
    );
    writeFileSync(
      path.join(dir, 'ab.gitlab-ci.yml'),
      consumer({
        'staging-url': 'https://staging.example.com',
        'baseline-target': 'http://api-a:3000',
        'ab-design': 'abba',
        'ab-min-effect': '5%',
        'max-duration': '2m',
      }),
    );
    // The off switch docs/gitlab.md shows: the scheduled job only in the schedules that set a variable.
    writeFileSync(
      path.join(dir, 'nightly-only.gitlab-ci.yml'),
      [
        consumer({ 'staging-url': 'https://staging.example.com', 'scheduled-profile': 'stress' }),
        'k6-gate:scheduled:',
        '  rules:',
        '    - if: $CI_PIPELINE_SOURCE == "schedule" && $K6_GATE_NIGHTLY == "true"',
        '',
      ].join('\n'),
    );
    // The component twice: a second production-like target under its own job prefix.
    writeFileSync(
      path.join(dir, 'twice.gitlab-ci.yml'),
      [
        consumer({ 'staging-url': 'https://staging.example.com', 'production-url': 'https://www.example.com' }),
        '  - local: templates/k6-gate.yml',
        '    inputs:',
        '      job-prefix: k6-gate-eu',
        '      production-url: https://eu.example.com',
        '      production-environment: production-eu',
        '',
      ].join('\n'),
    );
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
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: '.post' },
      'k6-gate:production': { when: 'manual', allow_failure: false, stage: '.post' },
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
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: '.post' },
    });
  });

  it('push to another branch: no k6-gate job', async () => {
    expect(await jobs('--variable', 'CI_COMMIT_BRANCH=feature/x')).toEqual({});
  });

  it('scheduled pipeline: only the scheduled job, automatic and blocking', async () => {
    expect(await jobs('--variable', 'CI_PIPELINE_SOURCE=schedule')).toEqual({
      'k6-gate:scheduled': { when: 'on_success', allow_failure: false, stage: '.post' },
    });
  });

  it('leaves out jobs whose URL is not given, and the scheduled job while scheduled-profile is none', async () => {
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml')).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: '.post' },
    });
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml', '--variable', 'CI_PIPELINE_SOURCE=schedule')).toEqual({});
  });

  async function preview(file = '.gitlab-ci.yml', ...args: string[]): Promise<Record<string, PreviewJob>> {
    const run = await runGitlabCiLocal(dir, ['--preview', '--file', file, ...args]);
    expect(run.code, run.stderr).toBe(0);
    return parse(run.stdout.slice(run.stdout.indexOf('---') >= 0 ? run.stdout.indexOf('---') + 3 : 0)) as Record<string, PreviewJob>;
  }

  it('pipeline or project variables named like the inputs or the old internal variables change no job and no URL', async () => {
    // Before: K6_GATE_TARGET as a pipeline variable replaced production-url and brought back jobs
    // whose URL input was empty. Inputs now reach rules and scripts as literal text.
    const overrides = [
      ...['K6_GATE_TARGET=https://evil.example.com', 'K6_GATE_PROFILE=stress', 'K6_GATE_ENVIRONMENT=production'],
      ...['K6_GATE_FAIL_ON=none', 'K6_GATE_RESULTS_DIR=/tmp/x'],
    ].flatMap((v) => ['--variable', v]);
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml', ...overrides)).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: '.post' },
    });
    expect(await jobs('--file', 'only-staging.gitlab-ci.yml', '--variable', 'CI_PIPELINE_SOURCE=schedule', ...overrides)).toEqual({});
    const staging = (await preview('only-staging.gitlab-ci.yml', ...overrides))['k6-gate:staging'];
    const script = staging.script.join('\n');
    expect(script).toContain('--target "https://staging.example.com"');
    expect(script).toContain('--profile "smoke"');
    expect(script).toContain('--fail-on "regression,thresholds"');
    expect(script).not.toMatch(/\$K6_GATE_/);
  });

  it('the staging job takes A/B mode: baseline-target with the duet by default, or the design, practical size and max-duration given', async () => {
    const defaults = (await preview('only-staging.gitlab-ci.yml'))['k6-gate:staging'].script.join('\n');
    expect(defaults).toContain('--ab-design "duet"');
    expect(defaults).toContain('--ab-min-effect "2%"');
    expect(defaults).toContain('--max-duration "60s"');
    const ab = (await preview('ab.gitlab-ci.yml'))['k6-gate:staging'].script.join('\n');
    expect(ab).toContain('--baseline-target "http://api-a:3000"');
    expect(ab).toContain('--ab-design "abba"');
    expect(ab).toContain('--ab-min-effect "5%"');
    expect(ab).toContain('--max-duration "2m"');
  });

  it('staging and production take their own fail-on, profile and environment; report-only staging leaves production gating', async () => {
    const expanded = await preview('split-policy.gitlab-ci.yml');
    const staging = expanded['k6-gate:staging'].script.join('\n');
    const production = expanded['k6-gate:production'].script.join('\n');
    const scheduled = expanded['k6-gate:scheduled'].script.join('\n');
    expect(staging).toContain('--fail-on "none"');
    expect(staging).toContain('--profile "load"');
    expect(staging).toContain('--environment "staging-eu"');
    expect(production).toContain('--fail-on "regression,thresholds"');
    expect(production).toContain('--profile "smoke"');
    expect(production).toContain('--environment "production"');
    expect(scheduled).toContain('--profile "soak"');
    expect(scheduled).toContain('--fail-on "regression,thresholds"');
    expect(scheduled).toContain('--environment "staging-eu"');
    expect(expanded['k6-gate:staging'].environment?.name).toBe('staging-eu');
    expect(expanded['k6-gate:production'].artifacts?.expire_in).toBe('1 week');
  });

  it('staging and the scheduled job share one resource group; production has its own', async () => {
    const expanded = await preview();
    expect(expanded['k6-gate:staging'].resource_group).toBe('k6-gate-staging');
    expect(expanded['k6-gate:scheduled'].resource_group).toBe('k6-gate-staging');
    expect(expanded['k6-gate:production'].resource_group).toBe('k6-gate-production');
  });

  it('each job exports its own dotenv keys, and caches k6 and npm inside the project directory', async () => {
    const expanded = await preview();
    // The prefix is a flag of the job's command line: no CI/CD variable can rename the keys later jobs read.
    for (const job of ['staging', 'production', 'scheduled']) {
      expect(expanded[`k6-gate:${job}`].script.join('\n')).toContain(`--dotenv-prefix "k6-gate_${job}_"`);
      expect(expanded[`k6-gate:${job}`].variables ?? {}).not.toHaveProperty('K6_GATE_DOTENV_PREFIX');
    }
    for (const job of ['k6-gate:staging', 'k6-gate:production']) {
      expect(expanded[job].cache).toEqual([expect.objectContaining({ paths: ['.k6-gate-cache/'] })]);
      expect(expanded[job].variables).toMatchObject({
        XDG_CACHE_HOME: '$CI_PROJECT_DIR/.k6-gate-cache',
        npm_config_cache: '$CI_PROJECT_DIR/.k6-gate-cache/npm',
      });
    }
  });

  it('the scheduled job can be limited to the schedules that ask for it (the documented rules override)', async () => {
    const schedule = ['--file', 'nightly-only.gitlab-ci.yml', '--variable', 'CI_PIPELINE_SOURCE=schedule'];
    expect(await jobs(...schedule)).toEqual({});
    expect(await jobs(...schedule, '--variable', 'K6_GATE_NIGHTLY=true')).toEqual({
      'k6-gate:scheduled': { when: 'on_success', allow_failure: false, stage: '.post' },
    });
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'gitlab.md'), 'utf8');
    expect(doc).toContain('- if: $CI_PIPELINE_SOURCE == "schedule" && $K6_GATE_NIGHTLY == "true"');
  });

  it('can be included twice with different job prefixes', async () => {
    expect(await jobs('--file', 'twice.gitlab-ci.yml')).toEqual({
      'k6-gate:staging': { when: 'manual', allow_failure: true, stage: '.post' },
      'k6-gate:production': { when: 'manual', allow_failure: false, stage: '.post' },
      'k6-gate-eu:production': { when: 'manual', allow_failure: false, stage: '.post' },
    });
    const expanded = await preview('twice.gitlab-ci.yml');
    expect(expanded['k6-gate-eu:production'].resource_group).toBe('k6-gate-eu-production-eu');
    expect(expanded['k6-gate-eu:production'].script.join('\n')).toContain('--target "https://eu.example.com"');
    expect(expanded['k6-gate:production'].script.join('\n')).toContain('--target "https://www.example.com"');
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
    expect(production.script).toContain("k6_gate_cli='node dist/cli.js'");
    expect(production.script.join('\n')).toMatch(/^\$k6_gate_cli run http-endpoints /m);
    expect(production.script.join('\n')).toContain("--metrics-output 'prometheus=https://prom.example.com/api/v1/write'");
    expect(production.artifacts).toMatchObject({
      when: 'always',
      expire_in: '30 days',
      expose_as: 'k6-gate production report',
      reports: {
        junit: 'k6-gate-results/junit.xml',
        // One job per pipeline reports load_performance (staging by default): the file of that name
        // exists only in the staging job, whose after_script copies its own export to it.
        load_performance: 'k6-gate-results/load-performance.staging.json',
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
