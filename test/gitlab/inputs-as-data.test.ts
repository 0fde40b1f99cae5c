// Template inputs are data, never code: whatever a free-text input holds reaches the CLI as the text it
// is, in the argument it belongs to, and no character in it ends that argument, adds a flag or runs a
// command. gitlab-ci-local runs the consumer's jobs with the shell executor; the `cli` input names a
// small program that writes the arguments it received, so each value is compared with what was given.
// URL inputs may name a variable (a deploy job's dotenv, $CI_ENVIRONMENT_URL) that the job shell expands.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, initGitRepo, missingTools, runGitlabCiLocal } from './gitlab-ci-local.js';

const missing = missingTools();

/** Writes the arguments it got, as JSON, to argv-<job name>.json in the project folder. */
const ARGV_PROGRAM = `const fs = require('node:fs');
fs.writeFileSync('argv-' + process.env.CI_JOB_NAME.replace(/[^A-Za-z0-9]/g, '_') + '.json', JSON.stringify(process.argv.slice(2)));
`;

// The reproduction of the report first: a `"` ended --metrics-output's argument and `--fail-on none`
// followed it. The others try every shell construct there is, a newline and flags.
const HOSTILE = {
  'metrics-output': 'json=x.json" --fail-on "none',
  notify: 'slack=HOOK $(touch pwned-notify); touch pwned-notify2 && echo "$HOME"\n--fail-on none',
  'notify-on': 'always',
};
const HOSTILE_ARGS = '--env A=$(touch pwned-args) --env B="x y" --env C=$HOME --env D=* ; touch pwned-args2 | true && \\\n--watch x';
const HOSTILE_CLI = 'node argv.cjs $(touch pwned-cli) ; "';

function consumer(inputs: Record<string, string>, extra: string[] = []): string {
  return [
    'stages: [deploy]',
    'include:',
    '  - local: templates/k6-gate.yml',
    '    inputs:',
    ...Object.entries(inputs).map(([key, value]) => `      ${key}: ${JSON.stringify(value)}`),
    ...extra,
    '',
  ].join('\n');
}

describe.skipIf(missing.length > 0)('template inputs are data (gitlab-ci-local, shell executor)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-inputs-'));
    mkdirSync(path.join(dir, 'templates'));
    cpSync(path.join(REPO_ROOT, 'templates', 'k6-gate.yml'), path.join(dir, 'templates', 'k6-gate.yml'));
    cpSync(path.join(REPO_ROOT, 'templates', 'k6-gate-sharded.yml'), path.join(dir, 'templates', 'k6-gate-sharded.yml'));
    writeFileSync(path.join(dir, 'argv.cjs'), ARGV_PROGRAM);
    // A deploy job that reports the URL it deployed to, as review apps do, and a staging job whose
    // environment has a URL of its own (which GitLab passes as CI_ENVIRONMENT_URL).
    const deploy = [
      'deploy:',
      '  stage: deploy',
      '  script:',
      '    - echo "DEPLOY_URL=http://127.0.0.1:9/review-7" > deploy.env',
      '  artifacts:',
      '    reports:',
      '      dotenv: deploy.env',
      'k6-gate:staging:',
      '  environment:',
      '    url: http://127.0.0.1:9/env-url',
    ];
    writeFileSync(
      path.join(dir, '.gitlab-ci.yml'),
      consumer(
        {
          cli: HOSTILE_CLI,
          'production-url': '$DEPLOY_URL/shop',
          'staging-url': '$CI_ENVIRONMENT_URL',
          args: HOSTILE_ARGS,
          ...HOSTILE,
        },
        deploy,
      ),
    );
    initGitRepo(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function argvOf(job: string): string[] {
    const file = path.join(dir, `argv-${job.replace(/[^A-Za-z0-9]/g, '_')}.json`);
    expect(existsSync(file), `${job} ran the cli`).toBe(true);
    return JSON.parse(readFileSync(file, 'utf8')) as string[];
  }
  /** Every value given for `flag`, in order. */
  function valuesOf(argv: string[], flag: string): string[] {
    return argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1]] : []));
  }

  it('quotes, $(…), ;, &&, newlines and flags in metrics-output, notify, args and cli reach the CLI as text; nothing runs', async () => {
    const run = await runGitlabCiLocal(dir, [
      ...['--force-shell-executor', '--max-job-name-padding', '0'],
      ...['--manual', 'k6-gate:production', '--manual', 'k6-gate:staging'],
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const job of ['k6-gate:production', 'k6-gate:staging']) {
      const argv = argvOf(job);
      // The policy is the template's, once: nothing in a value became a flag of its own.
      expect(valuesOf(argv, '--fail-on'), job).toEqual(['regression,thresholds']);
      expect(valuesOf(argv, '--metrics-output'), job).toEqual([HOSTILE['metrics-output']]);
      expect(valuesOf(argv, '--notify'), job).toEqual([HOSTILE.notify]);
      // cli and args are split into words at white space only: no quote removal, no expansion, no glob.
      expect(argv.slice(0, 5), job).toEqual(['$(touch', 'pwned-cli)', ';', '"', 'run']);
      const tail = HOSTILE_ARGS.split(/\s+/);
      expect(argv.slice(-tail.length), job).toEqual(tail);
      expect(valuesOf(argv, '--env'), job).toEqual(['A=$(touch', 'B="x', 'C=$HOME', 'D=*']);
    }
    // The URL inputs named variables: the deploy job's dotenv and the job's own environment URL.
    expect(valuesOf(argvOf('k6-gate:production'), '--target')).toEqual(['http://127.0.0.1:9/review-7/shop']);
    expect(valuesOf(argvOf('k6-gate:staging'), '--target')).toEqual(['http://127.0.0.1:9/env-url']);
    expect(readdirSync(dir).filter((name) => name.startsWith('pwned'))).toEqual([]);
  }, 120_000);

  it('the sharded component: args reach each shard and merge-args the merge job as text, nothing runs', async () => {
    const mergeArgs = '--tolerance 0.2 --notify slack=$(touch pwned-merge) "--fail-on none"';
    writeFileSync(
      path.join(dir, 'sharded.gitlab-ci.yml'),
      [
        'include:',
        '  - local: templates/k6-gate-sharded.yml',
        '    inputs:',
        ...Object.entries({ 'target-url': '$DEPLOY_URL', cli: HOSTILE_CLI, args: HOSTILE_ARGS, 'merge-args': mergeArgs }).map(
          ([key, value]) => `      ${key}: ${JSON.stringify(value)}`,
        ),
        '      shards: 2',
        '',
      ].join('\n'),
    );
    const run = await runGitlabCiLocal(dir, [
      ...['--force-shell-executor', '--max-job-name-padding', '0', '--file', 'sharded.gitlab-ci.yml'],
      ...['--variable', 'CI_PIPELINE_SOURCE=schedule', '--variable', 'DEPLOY_URL=http://127.0.0.1:9/load'],
      ...['--ignore-predefined-vars', 'CI_PIPELINE_SOURCE'],
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const shards = readdirSync(dir).filter((name) => name.startsWith('argv-k6_gate_shard'));
    expect(shards).toHaveLength(2);
    for (const file of shards) {
      const argv = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as string[];
      expect(argv.slice(-HOSTILE_ARGS.split(/\s+/).length)).toEqual(HOSTILE_ARGS.split(/\s+/));
      expect(valuesOf(argv, '--target')).toEqual(['http://127.0.0.1:9/load']);
    }
    const merge = argvOf('k6-gate:merge');
    expect(merge.slice(-mergeArgs.split(/\s+/).length)).toEqual(mergeArgs.split(/\s+/));
    // `"--fail-on` is a word of its own, not the flag: the policy stays the template's.
    expect(valuesOf(merge, '--fail-on')).toEqual(['regression,thresholds']);
    expect(readdirSync(dir).filter((name) => name.startsWith('pwned'))).toEqual([]);
  }, 120_000);

  it("refuses ' and ` in every free-text input at include time, naming the input", async () => {
    for (const input of ['cli', 'metrics-output', 'notify', 'args']) {
      for (const bad of ["x' --fail-on 'none", 'x`touch pwned`']) {
        const file = `bad-${input}.gitlab-ci.yml`;
        writeFileSync(path.join(dir, file), consumer({ 'production-url': 'https://www.example.com', [input]: bad }));
        const run = await runGitlabCiLocal(dir, ['--list-json', '--file', file]);
        expect(run.code, `${input}: ${bad}`).not.toBe(0);
        expect(run.stderr + run.stdout).toContain(`\`${input}\` input: \`${bad}\` does not match required regex`);
      }
    }
  }, 120_000);

  it('URL inputs take a literal URL or a variable reference, nothing that could run or end the word', () => {
    const header = readFileSync(path.join(REPO_ROOT, 'templates', 'k6-gate.yml'), 'utf8');
    const regex = /staging-url:\n(?:\s+\w+:.*\n)*?\s+regex: '(.*)'\n/.exec(header)?.[1]?.replace(/''/g, "'");
    expect(regex).toBeDefined();
    const accepts = (value: string) => new RegExp(regex!).test(value);
    for (const ok of ['', 'https://staging.example.com/shop', '$CI_ENVIRONMENT_URL', 'https://$HOST:8080/x', '$DEPLOY_URL/shop']) {
      expect(accepts(ok), ok).toBe(true);
    }
    for (const bad of [
      'staging.example.com',
      'https://x" --fail-on "none',
      "https://x' y",
      'https://$(id)',
      '$(id)',
      '${X:-$(id)}',
      '${DEPLOY_URL}',
      'https://`id`',
      'https://a b',
      'https://a\\b',
      '$',
      'https://x$',
    ]) {
      expect(accepts(bad), bad).toBe(false);
    }
  });
});

if (missing.length > 0) {
  describe('gitlab-ci-local prerequisites', () => {
    it.skip(`skipped: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`, () => {});
  });
}
