// `k6-gate demo`: the whole gate in one command on a laptop. Starts the bundled demo target,
// runs the smoke profile of the http-endpoints scenario against it with a real k6, compares with the
// committed demo baseline, prints the regression table. `--slowdown 50%` makes the target slower so
// a newcomer sees a regression fail the gate.
import path from 'node:path';
import { ConfigError, optional, parseCommandArgs, quoteArg } from '../config.js';
import { inputsFromFlags, normaliseArgv, parseArgsOptions, renderFlagHelp } from '../input-spec.js';
import { configFromInputs } from '../inputs.js';
import type { Logger } from '../log.js';
import { exitStatusFor, runGate } from '../gate/gate.js';
import { isRegression } from '../baseline/compare.js';
import { bundledScenariosDir } from '../scenarios.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { checkEndpointFault, DEFAULT_DEMO_KNOBS, startDemoTarget, type EndpointFault } from '../../demo/target.js';
import { AB_PAIRS } from '../verdict/ab.js';

interface DemoIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
}

/** The committed baseline the demo compares with (next to the bundled scenarios). */
export function demoBaselinePath(): string {
  return path.join(bundledScenariosDir(), 'demo', 'baseline.json');
}

/**
 * The demo's rules: the default watched metrics without p(99), with a 20% tolerance, because a
 * laptop or a shared CI runner is noisier than a dedicated load generator; a 50% slowdown still
 * stands far outside it. p(99) of a 10 s run rests on its top ~4 requests: in the noise lab it was
 * the metric behind nearly every false alarm (docs/verdicts.md).
 */
export function demoRulesPath(): string {
  return path.join(bundledScenariosDir(), 'demo', 'k6-gate.config.json');
}

/** The size of the demo run: long enough for stable percentiles, short enough to wait for. */
export const DEMO_RUN_ENV = { VUS: '5', DURATION: '10s', THINK_TIME: '0.1' } as const;
/** Each A/B round of the demo is short: 12 rounds of the 10 s smoke run would take two minutes. */
const AB_ROUND_DURATION = '3s';

/**
 * A slowdown (extra latency of the demo target) as a fraction: `5%` → 0.05, `+50%`, `-10%` (faster),
 * or a fraction below 1 (`0.05`). A bare number of 1 or more is refused: `5` could mean 5 % or +500 %.
 */
export function parseSlowdown(name: string, text: string | undefined): number | undefined {
  const value = optional(text);
  if (value === undefined) return undefined;
  const expected = 'expected a percentage such as 5% or 50% (or a fraction below 1 such as 0.05)';
  const match = /^([+-]?)(\d+(?:\.\d+)?)(%?)$/.exec(value);
  if (!match) throw new ConfigError(`${name} ${JSON.stringify(value)} is not a percentage; ${expected}`);
  const [, sign, digits, percent] = match;
  const magnitude = Number(digits);
  if (!percent && magnitude >= 1) {
    throw new ConfigError(`${name} ${JSON.stringify(value)} is ambiguous (${sign}${digits}% or ${sign}${magnitude * 100}%?); ${expected}`);
  }
  const fraction = (sign === '-' ? -1 : 1) * (percent ? magnitude / 100 : magnitude);
  if (fraction <= -1) {
    throw new ConfigError(
      `${name} ${JSON.stringify(value)} would leave the target no latency at all; expected more than -100% (a negative slowdown makes it faster)`,
    );
  }
  return fraction;
}

function parseNumber(name: string, text: string | undefined): number | undefined {
  const value = optional(text);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} ${JSON.stringify(value)} is not a number ≥ 0`);
  return n;
}

/** The demo's own flags (the knobs of its target); the inputs it takes come from the input specification. */
const DEMO_FLAGS: { flag: string; arg?: string; help: string }[] = [
  { flag: 'slowdown', arg: 'P', help: 'make the target slower, e.g. 50% (the gate then fails with exit 1)' },
  {
    flag: 'ab',
    help: `A/B mode: start a second demo target as the base version (never slowed down)\nand gate on ${AB_PAIRS} interleaved ABBA pairs of ${AB_ROUND_DURATION} runs instead of the baseline file`,
  },
  { flag: 'latency', arg: 'MS', help: `base latency of the target (default ${DEFAULT_DEMO_KNOBS.latencyMs})` },
  { flag: 'jitter', arg: 'MS', help: `random extra latency (default ${DEFAULT_DEMO_KNOBS.jitterMs})` },
  { flag: 'error-rate', arg: 'R', help: 'share of requests answered 500, 0..1 (default 0)' },
  { flag: 'slow-endpoint', arg: 'PATH', help: 'make one endpoint slow and failing, e.g. /api/orders (per-endpoint table demo)' },
  { flag: 'slow-endpoint-slowdown', arg: 'P', help: 'its extra latency (default 300%)' },
  { flag: 'slow-endpoint-error-rate', arg: 'R', help: 'its share of 503 answers, 0..1 (default 0.2)' },
  { flag: 'duration', arg: 'D', help: `length of the run (default ${DEMO_RUN_ENV.DURATION})` },
  { flag: 'vus', arg: 'N', help: `virtual users (default ${DEMO_RUN_ENV.VUS})` },
];

const DEMO_OPTIONS = parseArgsOptions(
  'demo',
  Object.fromEntries(DEMO_FLAGS.map(({ flag, arg }) => [flag, { type: arg ? 'string' : 'boolean' } as const])),
);

function demoHelp(): string {
  const own = DEMO_FLAGS.map(({ flag, arg, help }) => {
    const [first, ...rest] = help.split('\n');
    const usage = `--${flag}${arg ? ` ${arg}` : ''}`;
    const head = usage.length < 26 ? `  ${usage.padEnd(26)}${first}` : `  ${usage}\n  ${' '.repeat(26)}${first}`;
    return [head, ...rest.map((line) => `  ${' '.repeat(26)}${line}`)].join('\n');
  });
  return `k6-gate demo [options]
Starts the bundled demo target on 127.0.0.1, runs the http-endpoints scenario (smoke profile) with a
real k6 against it, compares with the committed demo baseline and prints the regression table.

${own.join('\n')}
${renderFlagHelp('demo')}`;
}

export async function runDemo(args: string[], io: DemoIO, log: Logger): Promise<number> {
  const parsed = parseCommandArgs(DEMO_OPTIONS, normaliseArgv('demo', args), 'demo', false);
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => values[name] as string | undefined;
  if (values.help) {
    io.stdout(demoHelp());
    return 0;
  }
  const slowdown = parseSlowdown('slowdown', text('slowdown')) ?? 0;
  const knobs = {
    slowdown,
    latencyMs: parseNumber('latency', text('latency')) ?? DEFAULT_DEMO_KNOBS.latencyMs,
    jitterMs: parseNumber('jitter', text('jitter')) ?? DEFAULT_DEMO_KNOBS.jitterMs,
    errorRate: parseNumber('error-rate', text('error-rate')) ?? DEFAULT_DEMO_KNOBS.errorRate,
  };
  const workspace = path.resolve(io.cwd);
  const slowPath = optional(text('slow-endpoint'));
  const endpointFault: EndpointFault | undefined = slowPath
    ? checkEndpointFault({
        path: slowPath,
        slowdown: parseSlowdown('slow-endpoint-slowdown', text('slow-endpoint-slowdown')) ?? 3,
        errorRate: parseNumber('slow-endpoint-error-rate', text('slow-endpoint-error-rate')) ?? 0.2,
      })
    : undefined;
  const target = await startDemoTarget({ ...knobs, endpointFault, host: '127.0.0.1', port: 0 });
  const base = values.ab ? await startDemoTarget({ ...knobs, slowdown: 0, host: '127.0.0.1', port: 0, seed: 2 }) : undefined;
  if (base) log.info(`k6-gate demo: A/B mode, base version (A) at ${base.url}, candidate (B) below`);
  log.info(
    `k6-gate demo: target ${target.url} (latency ${knobs.latencyMs} ms + up to ${knobs.jitterMs} ms jitter${slowdown ? `, slowed down by ${Math.round(slowdown * 100)}%` : ''}${knobs.errorRate ? `, ${knobs.errorRate * 100}% errors` : ''}${endpointFault ? `; ${endpointFault.path} slowed by ${Math.round(endpointFault.slowdown * 100)}% with ${endpointFault.errorRate * 100}% 503s` : ''})`,
  );
  try {
    // The demo's run, said as the inputs a user would give: it goes through the one input path.
    const env = {
      ...DEMO_RUN_ENV,
      VUS: text('vus') ?? DEMO_RUN_ENV.VUS,
      DURATION: text('duration') ?? (base ? AB_ROUND_DURATION : DEMO_RUN_ENV.DURATION),
    };
    const inputs: Record<string, string | undefined> = {
      // What the demo decides; then what its user gave (results-dir, baseline, fail-on, update-baseline, k6-*, …).
      scenarios: 'http-endpoints',
      profile: 'smoke',
      target: target.url,
      environment: 'demo',
      'health-url': `${target.url}/health`,
      'preflight-timeout': '10s',
      'update-baseline': 'false',
      env: Object.entries(env)
        .map(([key, value]) => quoteArg(`${key}=${value}`))
        .join(' '),
      'baseline-target': base?.url,
      ...inputsFromFlags('demo', values, []),
    };
    const config = await configFromInputs((name) => inputs[name], {
      workspace,
      env: io.env,
      resultsDirAnywhere: true,
      defaultFiles: { baseline: demoBaselinePath(), config: demoRulesPath() },
    });
    const result = await runGate(config, log);
    io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdownReport(result));
    const status = exitStatusFor(result);
    if (status === 1) {
      const names = result.scenarios.flatMap((s) => s.metrics.filter(isRegression).map((m) => `${m.metric} ${m.stat}`));
      log.info(`k6-gate demo: the gate FAILED${names.length ? ` — regressed: ${names.join(', ')}` : ''} (exit 1)`);
    } else if (status === 0) {
      log.info('k6-gate demo: the gate passed (exit 0). Try `k6-gate demo --slowdown 50%` to see it catch a regression.');
    }
    return status;
  } finally {
    await target.close();
    await base?.close();
  }
}

/** `k6-gate demo-target`: the demo target in the foreground, for workflows and manual tries. */
export async function startDemoTargetFromFlags(args: string[], io: DemoIO, log: Logger): Promise<number> {
  const { values } = parseCommandArgs(
    {
      port: { type: 'string' },
      host: { type: 'string' },
      slowdown: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'error-rate': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    args,
    'demo-target',
    false,
  );
  if (values.help) {
    io.stdout('k6-gate demo-target [--port 8080] [--host 127.0.0.1] [--latency MS] [--jitter MS] [--error-rate R] [--slowdown 50%]\n');
    return 0;
  }
  const port = parseNumber('port', values.port) ?? 8080;
  const target = await startDemoTarget({
    port,
    host: values.host ?? '127.0.0.1',
    slowdown: parseSlowdown('slowdown', values.slowdown),
    latencyMs: parseNumber('latency', values.latency),
    jitterMs: parseNumber('jitter', values.jitter),
    errorRate: parseNumber('error-rate', values['error-rate']),
  });
  log.info(`k6-gate demo target listening on ${target.url} (health: ${target.url}/health); Ctrl-C stops it`);
  io.stdout(`${target.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await target.close();
  return 0;
}
