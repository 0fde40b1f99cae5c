// Inputs a hostile or unlucky user gives, refused (or said) before k6 starts: scenario names that
// would write into another history, a heavy profile through a side door (--env PROFILE, a typo plus
// the protected URL), k6 options k6-gate owns or that weaken the test, secrets too short to mask,
// and the CLI's own settings, which come from its flags only, never from CI/CD variables.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyCuts } from '../../src/baseline/update.js';
import { configFromInputs } from '../../src/inputs.js';
import { k6Environment } from '../../src/k6/environment.js';
import { bundledScenariosDir, splitScenarioList } from '../../src/scenarios.js';
import { runCli } from '../helpers/cli.js';
import { testK6Path } from '../helpers/k6.js';
import { tempWorkspace } from '../helpers/gate.js';
import { gate, script } from './support.js';

const ENVIRONMENTS = {
  environments: {
    staging: { baseUrl: 'http://127.0.0.1:9/staging' },
    production: { baseUrl: 'http://127.0.0.1:9/shop', protected: true },
  },
};

async function workspace(): Promise<string> {
  const ws = await tempWorkspace();
  await writeFile(path.join(ws, 'noop.js'), 'export default function () {}\n');
  await writeFile(path.join(ws, 'k6-gate.environments.json'), JSON.stringify(ENVIRONMENTS));
  return ws;
}

/** A CLI run that must stop before k6 starts: exit 2, a message, no stack, no `$ k6 run`. */
async function refused(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const ws = await workspace();
  const run = await runCli(argv, ws, env);
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr).not.toContain('$ k6 run');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toContain('this is a bug');
  return run.stderr;
}

async function config(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}, changeRequest?: string) {
  const ws = await workspace();
  return configFromInputs((name) => inputs[name], { workspace: ws, env, changeRequest });
}

describe('scenario names', () => {
  it.each([
    ['x@stress@production=noop.js', 'scenario name "x@stress@production" holds "@"'],
    ['my test=noop.js', 'scenario name "my test" holds a space'],
  ])('%s is refused before k6 runs', async (scenario, says) => {
    expect(await refused(['run', scenario, '--target', 'http://127.0.0.1:9'])).toContain(says);
  });

  it('a script whose file name holds "@" or a space needs a name of its own, and gets it with name=path', async () => {
    const ws = await workspace();
    await writeFile(path.join(ws, 'a@b c.js'), 'export default function () {}\n');
    const read = (scenarios: string) =>
      configFromInputs((name) => ({ scenarios, target: 'http://127.0.0.1:9' })[name], { workspace: ws, env: {} });
    await expect(read('a@b c.js')).rejects.toThrow(/scenario name "a@b c" .*; expected .* e\.g\. checkout=a@b c\.js/);
    expect((await read('ab=a@b c.js')).scenarios[0]).toMatchObject({ name: 'ab', script: path.join(ws, 'a@b c.js') });
  });

  it('a script path holding a comma or a newline is one scenario when written as a JSON string, as an input and on the CLI', async () => {
    const ws = await workspace();
    await mkdir(path.join(ws, 'load,tests'));
    await writeFile(path.join(ws, 'load,tests', 'a\nb.js'), 'export default function () {}\n');
    const inputs = { scenarios: '"ab=load,tests/a\\nb.js", noop.js', target: 'http://127.0.0.1:9' };
    const read = await configFromInputs((name) => (inputs as Record<string, string>)[name], { workspace: ws, env: {} });
    expect(read.scenarios.map((s) => [s.name, s.script])).toEqual([
      ['ab', path.join(ws, 'load,tests', 'a\nb.js')],
      ['noop', path.join(ws, 'noop.js')],
    ]);
    // On the CLI too: words and commas separate scenarios, a JSON string keeps a path whole.
    const run = await runCli(['run', '"ab=load,tests/a\\nb.js"', '--target', 'http://127.0.0.1:9', '--k6-path', 'no-such-k6'], ws);
    expect(run.stderr).not.toContain('no file at');
    expect(run.stderr).toContain('no-such-k6');
  });
});

describe('the scenarios list', () => {
  it('splits on commas and new lines (and the CLI’s words), keeps a JSON string whole, and refuses a broken one', () => {
    expect(splitScenarioList('a, b\nc,,')).toEqual(['a', 'b', 'c']);
    expect(splitScenarioList('"load,v2/a.js", "x=dir/a\\nb.js"\nz')).toEqual(['load,v2/a.js', 'x=dir/a\nb.js', 'z']);
    expect(() => splitScenarioList('"load,v2/a.js')).toThrow('scenarios: unterminated " quote');
    expect(() => splitScenarioList('"a.js" b.js')).toThrow('scenarios: expected a comma or a new line after "a.js"');
  });
});

describe('the heavy-load policy sees the run as it will be', () => {
  it('--env PROFILE=stress on a merge-request run is the stress profile: refused', async () => {
    const stderr = await refused(['run', 'http-endpoints', '--target', 'http://127.0.0.1:9', '--env', 'PROFILE=stress'], {
      GITLAB_CI: 'true',
      CI_MERGE_REQUEST_IID: '7',
    });
    expect(stderr).toContain('profile "stress" is a heavy load profile and this is a merge request pipeline');
  });

  it('the effective profile is --profile when given (k6-gate sets PROFILE), else --env PROFILE', async () => {
    expect((await config({ scenarios: 'noop.js', target: 'http://127.0.0.1:9', env: 'PROFILE=load' })).profile).toBe('load');
    const both = await config(
      { scenarios: 'noop.js', target: 'http://127.0.0.1:9', profile: 'smoke', env: 'PROFILE=stress' },
      {},
      'pull_request run',
    );
    expect(both.profile).toBe('smoke');
  });

  it('a misspelt environment with the protected environment’s URL as target is refused, naming the environment the URL belongs to', async () => {
    const stderr = await refused([
      'run',
      'http-endpoints',
      '--profile',
      'stress',
      '--environment',
      'prodution',
      '--target',
      'http://127.0.0.1:9/shop/',
    ]);
    expect(stderr).toContain(
      'environment "prodution" is not defined, but the target http://127.0.0.1:9/shop/ is the base URL of "production"',
    );
  });

  it('a name the environments file gives the same URL is not a typo: two names for one deployment', async () => {
    const ws = await workspace();
    const both = { environments: { ...ENVIRONMENTS.environments, live: { baseUrl: 'http://127.0.0.1:9/shop', protected: true } } };
    await writeFile(path.join(ws, 'k6-gate.environments.json'), JSON.stringify(both));
    const inputs: Record<string, string> = { scenarios: 'noop.js', environment: 'live', target: 'http://127.0.0.1:9/shop' };
    const read = await configFromInputs((name) => inputs[name], { workspace: ws, env: {} });
    expect(read.environment).toBe('live');
  });

  it('a stress run at the protected URL without any environment name is refused like one against production', async () => {
    const stderr = await refused(['run', 'http-endpoints', '--profile', 'stress', '--target', 'http://127.0.0.1:9/shop/api']);
    expect(stderr).toContain('refusing to run the stress profile against the protected environment "production"');
  });
});

describe('k6 options k6-gate owns or that weaken the test', () => {
  it.each([
    ['--summary-export x.json', 'k6-args "--summary-export": k6-gate writes the summary export itself'],
    [
      '--summary-trend-stats=avg',
      'k6-args "--summary-trend-stats avg" leaves out min, med, max, p(90), p(95), p(99), which k6-gate compares',
    ],
    ['--no-thresholds', 'k6-args "--no-thresholds" would drop the script’s thresholds; use the fail-on input'],
    ['-e PROFILE=stress', 'k6-args "-e PROFILE=stress" sets PROFILE, which k6-gate owns; use the profile input'],
    ['--env=BASE_URL=http://x', 'k6-args "--env=BASE_URL=http://x" sets BASE_URL, which k6-gate owns; use the target input'],
    ['--execution-segment 0:1/2', 'k6-args "--execution-segment": k6-gate sets the execution segment of a shard; use the shard input'],
  ])('--k6-args "%s" is refused, naming the input to use', async (args, says) => {
    expect(await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9', '--k6-args', args])).toContain(says);
  });

  it.each(['K6_NO_THRESHOLDS', 'K6_DURATION', 'K6_VUS', 'K6_ITERATIONS', 'K6_STAGES', 'K6_SUMMARY_EXPORT'])(
    '%s in the environment (a CI/CD variable) is refused before k6 runs',
    async (name) => {
      const stderr = await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9'], { [name]: 'true' });
      expect(stderr).toContain(`${name} is set in the environment`);
      expect(stderr).toContain('unset it');
    },
  );

  it('k6 never inherits them even when asked directly, while its other K6_ settings pass', () => {
    const env = k6Environment({ K6_NO_THRESHOLDS: 'true', K6_DURATION: '1s', K6_OUT: 'json=x.json', PATH: '/bin' }, {});
    expect(env).toEqual({ K6_OUT: 'json=x.json', PATH: '/bin' });
  });
});

describe('secrets and limits said, not silently ignored', () => {
  it('a secret too short to mask is refused, naming the variable and never quoting it', async () => {
    const stderr = await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9', '--secret-env', 'TINY'], { TINY: 'zq' });
    expect(stderr).toContain('secret-env names TINY, whose value is 2 characters long: too short to mask in logs');
    expect(stderr).not.toContain('zq');
    expect(await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9', '--auth-token', 'ab'])).toContain(
      'auth-token is 2 characters long: too short to mask in logs',
    );
  });

  it('--auth-token reaches the script as AUTH_TOKEN and is a secret', async () => {
    const read = await config({ scenarios: 'noop.js', target: 'http://127.0.0.1:9', 'auth-token': 'tok-123456' });
    expect(read.env.AUTH_TOKEN).toBe('tok-123456');
    expect(read.secrets).toContain('tok-123456');
  });

  it('--preflight-timeout 0 says the target would get no time to answer and how to skip the check', async () => {
    const stderr = await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9', '--preflight-timeout', '0']);
    expect(stderr).toContain('preflight-timeout "0" is shorter than 1s and leaves the target no time to answer');
    expect(stderr).toContain('--no-preflight');
    expect(stderr).not.toContain('would stop k6');
  });

  it('--tolerance -5% is a bad tolerance with the expected form, not an argument-parser puzzle', async () => {
    const stderr = await refused(['run', 'noop.js', '--target', 'http://127.0.0.1:9', '--tolerance', '-5%']);
    expect(stderr).toContain('tolerance is "-5%"; expected a fraction such as 0.1 or a percentage such as "10%"');
    expect(stderr).not.toContain('ambiguous');
  });
});

describe('a history limit that cuts the baseline history says so', () => {
  it('--history-limit 1 on a baseline holding 5 runs warns that the older runs were dropped', async () => {
    const ws = await workspace();
    const history = [1, 2, 3, 4, 5].map((day) => ({ value: 1, date: `2026-01-0${day}T00:00:00Z`, k6Version: '2.2.0' }));
    await writeFile(
      path.join(ws, 'k6-baseline.json'),
      JSON.stringify({
        version: 1,
        scenarios: { noop: { scenario: 'noop', metrics: { iterations: { count: { accepted: 1, history } } } } },
      }),
    );
    const noop = await script(ws, 'noop.js', 'export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n');
    const run = await gate(ws, {
      scenarios: [noop],
      updateBaseline: 'always',
      rulesOverrides: { historyLimit: 1, watch: ['iterations:count'] },
      analysis: { enabled: false, top: 10 },
    });
    expect(run.status, run.log).toBe(0);
    const line = 'history-limit 1 dropped 5 older run(s) from the history of noop (iterations count: 5 runs before this one, 1 kept)';
    expect(run.result.warnings, run.log).toContain(line);
    expect(run.log).toContain(line);
  });

  it('a full history that keeps its limit drops its oldest run without a word', () => {
    const entries = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        value: 1,
        date: `2026-01-${String(from + i).padStart(2, '0')}T00:00:00Z`,
        k6Version: '2.2.0',
      }));
    const file = (n: number, from: number) => ({
      version: 1 as const,
      scenarios: { a: { scenario: 'a', metrics: { iterations: { count: { accepted: 1, history: entries(n, from) } } } } },
    });
    expect(historyCuts(file(10, 1), file(10, 2), 10)).toEqual([]);
    expect(historyCuts(undefined, file(1, 1), 10)).toEqual([]);
    expect(historyCuts(file(10, 1), file(3, 9), 3)).toEqual([
      'history-limit 3 dropped 8 older run(s) from the history of a (iterations count: 10 runs before this one, 3 kept)',
    ]);
  });
});

describe('the CLI reads its own settings from its flags only', () => {
  it('K6_GATE_SCENARIOS_DIR does not swap the bundled scripts', () => {
    const before = bundledScenariosDir();
    process.env.K6_GATE_SCENARIOS_DIR = '/tmp/elsewhere';
    try {
      expect(bundledScenariosDir()).toBe(before);
    } finally {
      delete process.env.K6_GATE_SCENARIOS_DIR;
    }
  });

  it('in a GitLab job the dotenv keys take --dotenv-prefix; a K6_GATE_DOTENV_PREFIX variable renames nothing', async () => {
    const ws = await workspace();
    const run = await runCli(
      [
        'run',
        'noop.js',
        '--target',
        'http://127.0.0.1:9',
        '--no-preflight',
        '--k6-path',
        testK6Path(),
        '--dotenv-prefix',
        'k6-gate_staging_',
      ],
      ws,
      { GITLAB_CI: 'true', K6_GATE_DOTENV_PREFIX: 'EVIL_', K6_GATE_MR_NOTE: 'false' },
    );
    expect(run.status, run.stderr).toBe(0);
    const dotenv = await readFile(path.join(ws, 'k6-gate-results', 'k6-gate.env'), 'utf8');
    expect(dotenv).toContain('K6_GATE_STAGING_RESULT=passed\n');
    expect(dotenv).not.toContain('EVIL_');
  });

  it('no K6_GATE_ variable but the GitLab token is read by the CLI: the source names no other', async () => {
    const sources = await Promise.all(
      ['src/scenarios.ts', 'src/platform/gitlab/publish.ts', 'src/platform/gitlab/dotenv.ts', 'src/commands/run.ts', 'src/inputs.ts'].map(
        (file) => readFile(file, 'utf8'),
      ),
    );
    const read = new Set(sources.flatMap((text) => [...text.matchAll(/env(?:\?)?\.(K6_GATE_[A-Z_]+)/g)].map((m) => m[1])));
    expect([...read].sort()).toEqual(['K6_GATE_GITLAB_TOKEN']);
  });
});
