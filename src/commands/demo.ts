// `k6-gate demo`: the whole gate in one command on a laptop. Starts the bundled demo target,
// runs the smoke profile of the http-endpoints scenario against it with a real k6, compares with the
// committed demo baseline, prints the regression table. `--slowdown 50%` makes the target slower so
// a newcomer sees a regression fail the gate. `--ab` starts a second demo target as the base version
// (A, never slowed down) and gates the candidate (B) on an A/B duet instead of the baseline file: both
// measured at the same time, decided block by block (src/verdict/duet/), so `--ab --slowdown 5%` is
// a change the duet is meant to see. The demo target itself is demo/target.ts (not product code).
import path from 'node:path';
import { ConfigError, optional, parseCommandArgs, quoteArg } from '../config.js';
import { inputsFromFlags, normaliseArgv, parseArgsOptions, renderFlagHelp } from '../input-spec.js';
import { configFromInputs } from '../inputs.js';
import type { Logger } from '../log.js';
import type { GateResult } from '../model.js';
import { exitStatusFor, runGate } from '../gate/gate.js';
import { isRegression } from '../baseline/compare.js';
import { bundledScenariosDir } from '../scenarios.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { checkEndpointFault, DEFAULT_DEMO_KNOBS, startDemoTarget, type EndpointFault } from '../../demo/target.js';
import { DUET_BLOCK_MS, DUET_MAX_DURATION_MS } from '../verdict/duet/run.js';

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
/**
 * The demo's A/B mode stands in for a service whose own time is most of what a request takes, as on a
 * real deployment: on a busy machine (a CI runner with a neighbour) the load generator's own delays
 * add tens of milliseconds to every request on both sides, so a 5 % slowdown of a 20 ms answer would
 * be a 1 % change of what k6 measures, below any practical size; of a 100 ms answer it stays a few
 * per cent. 20 VUs give each side ~90 requests a second, enough for a per-second median, and the
 * median is watched next to p(95): the tail of a one-second window of a busy machine moves with
 * whatever else ran in it (docs/verdicts.md, "Duet verdicts"). --latency, --jitter and --vus still
 * override these.
 */
const DEMO_AB = {
  knobs: { latencyMs: 100, jitterMs: 20 },
  vus: '20',
  watch: ['http_req_duration:med', 'http_req_duration:p(95)', 'http_req_failed:rate'],
} as const;

/**
 * The script's DURATION in A/B mode: the duet stops each k6 when its half of a block is over, so the
 * script itself must outlast a half (a k6 that ends on its own first is an error); a whole block does.
 */
const AB_SCRIPT_DURATION = `${DUET_BLOCK_MS / 1000}s`;

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
    help: `A/B mode: start a second demo target as the base version (A, never slowed down)\nand gate the candidate (B, --slowdown) on a duet instead of the baseline file: both\nmeasured at the same time, decided after each ${DUET_BLOCK_MS / 1000} s block, at most ${DUET_MAX_DURATION_MS / 1000} s`,
  },
  {
    flag: 'latency',
    arg: 'MS',
    help: `base latency of the target (default ${DEFAULT_DEMO_KNOBS.latencyMs}; with --ab ${DEMO_AB.knobs.latencyMs})`,
  },
  { flag: 'jitter', arg: 'MS', help: `random extra latency (default ${DEFAULT_DEMO_KNOBS.jitterMs}; with --ab ${DEMO_AB.knobs.jitterMs})` },
  { flag: 'error-rate', arg: 'R', help: 'share of requests answered 500, 0..1 (default 0)' },
  { flag: 'slow-endpoint', arg: 'PATH', help: 'make one endpoint slow and failing, e.g. /api/orders (per-endpoint table demo)' },
  { flag: 'slow-endpoint-slowdown', arg: 'P', help: 'its extra latency (default 300%)' },
  { flag: 'slow-endpoint-error-rate', arg: 'R', help: 'its share of 503 answers, 0..1 (default 0.2)' },
  { flag: 'duration', arg: 'D', help: `length of the run (default ${DEMO_RUN_ENV.DURATION}; not with --ab: the duet decides how long)` },
  { flag: 'vus', arg: 'N', help: `virtual users (default ${DEMO_RUN_ENV.VUS}; with --ab ${DEMO_AB.vus} per side)` },
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
  if (values.ab && optional(text('duration')) !== undefined) {
    throw new ConfigError(
      `--duration does not apply to demo --ab: the duet runs blocks of ${DUET_BLOCK_MS / 1000} s until it decides (at most ${DUET_MAX_DURATION_MS / 1000} s of k6 per side); leave --duration out`,
    );
  }
  const knobs = {
    slowdown,
    latencyMs: parseNumber('latency', text('latency')) ?? (values.ab ? DEMO_AB.knobs : DEFAULT_DEMO_KNOBS).latencyMs,
    jitterMs: parseNumber('jitter', text('jitter')) ?? (values.ab ? DEMO_AB.knobs : DEFAULT_DEMO_KNOBS).jitterMs,
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
      VUS: text('vus') ?? (base ? DEMO_AB.vus : DEMO_RUN_ENV.VUS),
      DURATION: base ? AB_SCRIPT_DURATION : (text('duration') ?? DEMO_RUN_ENV.DURATION),
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
      watch: base ? DEMO_AB.watch.join('\n') : undefined,
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
    sayOutcome(result, status, base !== undefined, log);
    return status;
  } finally {
    await target.close();
    await base?.close();
  }
}

/** The demo's last line: what the gate said, and what to try next. */
function sayOutcome(result: GateResult, status: number, ab: boolean, log: Logger): void {
  if (status === 1) {
    const names = result.scenarios.flatMap((s) => s.metrics.filter(isRegression).map((m) => `${m.metric} ${m.stat}`));
    const why = [
      ...(names.length ? [`regressed: ${names.join(', ')}`] : []),
      ...(result.thresholdsFailed ? [`${result.thresholdsFailed} k6 threshold(s) of the script crossed`] : []),
    ];
    log.info(`k6-gate demo: the gate FAILED${why.length ? ` — ${why.join('; ')}` : ''} (exit 1)`);
  } else if (status === 0 && (result.outcome === 'inconclusive' || result.scenarios.some((s) => s.duet?.outcome === 'inconclusive'))) {
    log.info(
      'k6-gate demo: inconclusive (exit 0): within its time the duet could neither tell A and B apart nor show them equivalent; the MDE column says how small a change it could see on this machine now',
    );
  } else if (status === 0) {
    const next = ab ? 'k6-gate demo --ab --slowdown 5%' : 'k6-gate demo --slowdown 50%';
    log.info(`k6-gate demo: the gate passed (exit 0). Try \`${next}\` to see it catch a regression.`);
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
