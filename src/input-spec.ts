// Every input of k6-gate, declared once: its name (the action's input, the name readInputs asks
// for), how the CLI takes it (flags, per command), the GitLab template inputs that feed it, its
// documented default, whether it is a secret, its help line and its parser. The CLI's flag tables
// and `--help`, the action's list of secrets and the action.yml / template consistency tests are
// all derived from this table (docs/architecture.md, "Adding an input"). Over 400 lines on purpose:
// one entry per input, read as a table; split across files it would no longer be one declaration.
import type { ParseArgsConfig } from 'node:util';
import {
  ConfigError,
  DEFAULT_BASELINE_PATH,
  DEFAULT_K6_VERSION,
  DEFAULT_RESULTS_DIR,
  optional,
  parseBoolean,
  parseFailOn,
  parseK6Version,
  parseTimeLimit,
  parseUpdateBaseline,
  quoteArg,
  type CommentMode,
} from './config.js';
import { NOTIFY_ON, type NotifyOn } from './notify/payload.js';
import { NOTIFY_SINKS } from './notify/sinks/index.js';
import { parseConfidence, parseHistoryLimit, parseTolerance, splitWatchInput } from './baseline/rules.js';
import { DEFAULT_DUET_OPTIONS } from './verdict/duet/decision.js';
import { checkDuetDurations, DUET_BLOCK_MS, DUET_MAX_DURATION_MS } from './verdict/duet/run.js';

/** The CLI commands that take inputs. */
export type Command = 'run' | 'merge' | 'collect' | 'demo' | 'install';

/**
 * One way the CLI gives an input:
 * - `value`: `--flag X` (a value may start with a dash: `--tolerance -5%`, `--k6-args "--tag a=b"`);
 * - `optional-value`: `--flag` alone sets `bare`, or `--flag WORD` when WORD matches `valueWords`;
 * - `switch`: `--flag` sets `sets` (`--no-preflight` sets preflight to false);
 * - `repeat`: `--flag X` as often as needed, joined into the input by `join`.
 * - `positional`: the command's words (scenarios).
 */
export type FlagSpec =
  | {
      kind: 'value';
      flag: string;
      arg: string;
      commands?: readonly Command[];
      help?: string;
      /** Takes the next word whatever it is, even one of our flags (k6-args: k6's own flags). */
      anyWord?: boolean;
    }
  | { kind: 'optional-value'; flag: string; arg: string; bare: string; valueWords: RegExp; commands?: readonly Command[]; help?: string }
  | { kind: 'switch'; flag: string; sets: string; commands?: readonly Command[]; help?: string }
  | { kind: 'repeat'; flag: string; arg: string; join: 'lines' | 'commas' | 'quoted-words'; commands?: readonly Command[]; help?: string }
  | { kind: 'positional'; commands?: readonly Command[] };

/** What a parser may need besides the value. */
export interface ParseContext {
  /** Running in CI: `update-baseline: true` then means auto (default branch only). */
  onCi?: boolean;
}

export interface InputSpec<T = string | undefined> {
  /** One line for `--help` (continuation lines may follow after "\n"). */
  help: string;
  /** The default `--help` and action.yml show; what the parser gives for an empty input. */
  default?: string;
  /** How the CLI takes it; none = action only. Flags apply to `commands` (default run and merge). */
  flags?: readonly FlagSpec[];
  /** Declared in action.yml. */
  action?: boolean;
  /** GitLab template inputs (templates/*.yml) whose value the template's jobs pass as this input. */
  template?: readonly string[];
  /** Masked in every log line before anything runs; never quoted in a message. */
  secret?: boolean;
  /** Text → typed value; '' and undefined mean "not set" and give the default. */
  parse?: (value: string | undefined, context: ParseContext) => T;
}

const RUN: readonly Command[] = ['run', 'merge'];
const RUN_AND_DEMO: readonly Command[] = ['run', 'merge', 'demo'];
const K6_COMMANDS: readonly Command[] = ['run', 'merge', 'demo', 'install'];
const COLLECT: readonly Command[] = ['collect'];

const value = (flag: string, arg: string, commands = RUN): FlagSpec => ({ kind: 'value', flag, arg, commands });

/** Declares one input with its value type inferred from its parser. */
function input<T = string | undefined>(spec: InputSpec<T>): InputSpec<T> {
  return { action: true, ...spec };
}

/** `parse` of a value that is only checked when given. */
function ifGiven<T>(text: string | undefined, parse: (given: string) => T): T | undefined {
  const given = optional(text);
  return given === undefined ? undefined : parse(given);
}

/** A whole number from `min` to `max`; unset gives `fallback`. */
function wholeNumber(name: string, min: number, max: number, unit: string, example: number) {
  return (text: string | undefined): number | undefined => {
    const given = optional(text);
    if (given === undefined) return undefined;
    const n = Number(given);
    if (!/^\d+$/.test(given) || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(
        `${name} ${JSON.stringify(given)} is not valid; expected a whole number of ${unit} from ${min} to ${max}, e.g. ${example}`,
      );
    }
    return n;
  };
}

/** `comment`: when the action writes its pull request comment. */
export function parseCommentMode(text: string | undefined): CommentMode {
  const mode = optional(text)?.toLowerCase() ?? 'always';
  if (mode === 'always' || mode === 'on-regression' || mode === 'never') return mode;
  if (mode === 'true') return 'always';
  if (mode === 'false') return 'never';
  throw new ConfigError(`comment ${JSON.stringify(text)} is not valid; expected always, on-regression or never`);
}

const percent = (fraction: number) => `${Number((fraction * 100).toFixed(4))}%`;

/** `ab-design`: how A/B mode measures A and B. */
export function parseAbDesign(text: string | undefined): 'duet' | 'abba' {
  const design = optional(text)?.toLowerCase() ?? 'duet';
  if (design === 'duet' || design === 'abba') return design;
  throw new ConfigError(
    `ab-design ${JSON.stringify(text)} is not valid; expected duet (A and B at the same time, the default) or abba (interleaved pairs of whole runs)`,
  );
}

/** `max-duration`: a duration of at least one duet block, checked before anything runs. */
function parseMaxDuration(text: string | undefined): number {
  const ms = parseTimeLimit('max-duration', text) ?? DUET_MAX_DURATION_MS;
  try {
    checkDuetDurations(DUET_BLOCK_MS, ms);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return ms;
}

export const INPUTS = {
  scenarios: input({
    help: 'bundled scenario names or k6 script paths (name=path sets the name)',
    flags: [{ kind: 'positional', commands: RUN }],
  }),
  profile: input({
    help: 'smoke | load | stress | spike | soak | breakpoint (bundled scenarios)',
    flags: [value('profile', 'NAME')],
    template: ['staging-profile', 'production-profile', 'scheduled-profile', 'profile'],
  }),
  target: input({
    help: 'base URL of the system under test (BASE_URL for the script)',
    flags: [value('target', 'URL')],
    template: ['staging-url', 'production-url', 'target-url'],
  }),
  environment: input({
    help: 'a named environment (its base URL is the default target)',
    flags: [value('environment', 'NAME')],
    template: ['staging-environment', 'production-environment', 'environment'],
  }),
  environments: input({
    help: 'named environments (default k6-gate.environments.json, if present)',
    flags: [value('environments', 'FILE')],
  }),
  'allow-heavy-load': input({
    help: 'allow stress/spike/soak/breakpoint on a pull/merge request or a protected environment',
    default: 'false',
    flags: [{ kind: 'switch', flag: 'allow-heavy-load', sets: 'true', commands: RUN }],
    parse: (text) => parseBoolean('allow-heavy-load', text, false),
  }),
  'allow-new-baseline': input({
    help: 'true: in a protected environment, a run without its baseline entry passes\n(with a warning) instead of failing (default false)',
    default: 'false',
    flags: [value('allow-new-baseline', 'BOOL')],
    template: ['allow-new-baseline'],
    parse: (text) => parseBoolean('allow-new-baseline', text, false),
  }),
  'health-url': input({
    help: 'wait for this URL before k6 starts (default: the target)',
    flags: [value('health-url', 'URL')],
  }),
  preflight: input({
    help: 'wait for the target before k6 starts',
    default: 'true',
    flags: [{ kind: 'switch', flag: 'no-preflight', sets: 'false', commands: RUN, help: 'do not wait for the target' }],
    parse: (text) => parseBoolean('preflight', text, true),
  }),
  'preflight-timeout': input({
    help: 'how long to wait for the target (default 30s)',
    default: '30s',
    flags: [value('preflight-timeout', 'D')],
    parse: (text) =>
      parseTimeLimit(
        'preflight-timeout',
        text,
        'leaves the target no time to answer; expected e.g. "30s" (the default), or --no-preflight (preflight: false) to skip the check',
      ) ?? 30_000,
  }),
  baseline: input({
    help: `baseline JSON (default ${DEFAULT_BASELINE_PATH})`,
    default: DEFAULT_BASELINE_PATH,
    flags: [value('baseline', 'FILE', RUN_AND_DEMO)],
    template: ['baseline'],
  }),
  config: input({
    help: 'rules file: watched metrics, tolerances (JSON or YAML)',
    flags: [value('config', 'FILE')],
  }),
  tolerance: input({
    help: 'relative tolerance of every watched metric, e.g. 10% (overrides --config)',
    flags: [value('tolerance', 'P')],
    parse: (text) => ifGiven(text, (given) => parseTolerance(given, 'tolerance')),
  }),
  watch: input({
    help: 'watch this metric instead of the defaults (repeatable), e.g. http_req_duration:p(95)',
    flags: [{ kind: 'repeat', flag: 'watch', arg: 'METRIC:STAT', join: 'lines', commands: RUN }],
    parse: (text) => ifGiven(text, splitWatchInput),
  }),
  'history-limit': input({
    help: 'runs kept in the baseline history (default 10)',
    flags: [value('history-limit', 'N')],
    parse: (text) => ifGiven(text, (given) => parseHistoryLimit(given, 'history-limit')),
  }),
  confidence: input({
    help: 'prediction-interval confidence (default 0.99)',
    flags: [value('confidence', 'C')],
    parse: (text) => ifGiven(text, (given) => parseConfidence(given, 'confidence')),
  }),
  'results-dir': input({
    help: `where summaries and reports go (default ${DEFAULT_RESULTS_DIR})`,
    default: DEFAULT_RESULTS_DIR,
    flags: [value('results-dir', 'DIR', RUN_AND_DEMO)],
    template: ['results-dir'],
  }),
  'fail-on': input({
    help: 'regression,thresholds (default) | any of regression, thresholds, inconclusive | none',
    default: 'regression,thresholds',
    flags: [value('fail-on', 'LIST', RUN_AND_DEMO)],
    template: ['staging-fail-on', 'production-fail-on', 'scheduled-fail-on', 'fail-on'],
    parse: (text) => parseFailOn(text),
  }),
  'update-baseline': input({
    help: 'record this run in the baseline: true | auto (default branch) | always | force | false |\nmerge-request (GitLab job: propose the updated file in a merge request)',
    default: 'false',
    flags: [
      {
        kind: 'optional-value',
        flag: 'update-baseline',
        arg: '[MODE]',
        bare: 'true',
        // A mode word, or a word that looks like one ("yes", "on", "0"): the latter must fail as a
        // bad mode rather than run as a scenario of that name.
        valueWords: /^(true|false|auto|force|always|never|pull-request|merge-request|yes|no|on|off|y|n|0|1|enabled?|disabled?)$/i,
        commands: RUN,
      },
      { kind: 'switch', flag: 'update-baseline', sets: 'always', commands: ['demo'], help: 'record this run into the baseline' },
    ],
    parse: (text, context) => parseUpdateBaseline(text, context.onCi ? 'auto' : 'always'),
  }),
  'k6-version': input({
    help: `k6 to use (default ${DEFAULT_K6_VERSION})`,
    default: DEFAULT_K6_VERSION,
    flags: [value('k6-version', 'V', K6_COMMANDS)],
    template: ['k6-version'],
    parse: (text) => parseK6Version(optional(text) ?? DEFAULT_K6_VERSION),
  }),
  'k6-install': input({
    help: 'auto | release | go | path (default auto)',
    flags: [value('k6-install', 'METHOD', K6_COMMANDS), { kind: 'value', flag: 'method', arg: 'METHOD', commands: ['install'] }],
  }),
  'k6-download-url': input({
    help: 'release URL template for mirrors: {tag} {version} {asset}',
    flags: [value('k6-download-url', 'URL', K6_COMMANDS)],
  }),
  'k6-sha256': input({
    help: 'SHA-256 the release archive must have (see docs/install.md)',
    flags: [value('k6-sha256', 'HEX', K6_COMMANDS)],
  }),
  'k6-path': input({
    help: 'a k6 binary to use (implies --k6-install path)',
    flags: [value('k6-path', 'FILE', K6_COMMANDS)],
  }),
  'k6-args': input({
    help: 'extra k6 arguments, split like a shell would (no shell runs)',
    flags: [{ kind: 'value', flag: 'k6-args', arg: '"ARGS"', commands: RUN, anyWord: true }],
  }),
  env: input({
    help: 'extra variable for the script (repeatable)',
    flags: [{ kind: 'repeat', flag: 'env', arg: 'KEY=VALUE', join: 'quoted-words', commands: RUN }],
  }),
  'secret-env': input({
    help: 'pass this environment variable to k6 as a secret (repeatable)',
    flags: [{ kind: 'repeat', flag: 'secret-env', arg: 'NAME', join: 'commas', commands: RUN }],
  }),
  'auth-token': input({
    help: 'a token for the script, as AUTH_TOKEN (a secret; prefer --secret-env)',
    flags: [value('auth-token', 'TOKEN')],
    secret: true,
  }),
  timeout: input({
    help: 'stop k6 after D (SIGINT, then kill after a grace period)',
    flags: [value('timeout', 'D')],
    parse: (text) => parseTimeLimit('timeout', text),
  }),
  'html-report': input({
    help: "write k6's HTML dashboard report",
    default: 'true',
    flags: [{ kind: 'switch', flag: 'no-html-report', sets: 'false', commands: RUN_AND_DEMO, help: "skip k6's HTML dashboard report" }],
    parse: (text) => parseBoolean('html-report', text, true),
  }),
  'raw-output': input({
    help: 'also write every sample (k6-<scenario>.json.gz); a shard then writes them instead of its state file',
    default: 'false',
    flags: [{ kind: 'switch', flag: 'raw-output', sets: 'true', commands: RUN }],
    parse: (text) => parseBoolean('raw-output', text, false),
  }),
  'metrics-output': input({
    help:
      "stream k6's samples while it runs (repeatable): prometheus=<remote-write URL>\n" +
      '(k6-gate pushes its verdict series there too), prometheus-native=URL\n' +
      '(Trends as native histograms), influxdb=URL, otlp=URL, json=FILE',
    flags: [{ kind: 'repeat', flag: 'metrics-output', arg: 'KIND=T', join: 'lines', commands: RUN }],
    template: ['metrics-output'],
  }),
  analysis: input({
    help: 'live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)',
    default: 'true',
    flags: [
      {
        kind: 'switch',
        flag: 'no-analysis',
        sets: 'false',
        commands: RUN,
        help: 'skip live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)',
      },
      { kind: 'value', flag: 'analysis', arg: 'BOOL', commands: RUN, help: 'the same as a value: true (default) | false' },
    ],
    template: ['analysis'],
    parse: (text) => parseBoolean('analysis', text, true),
  }),
  notify: input({
    help: `notify ${NOTIFY_SINKS.map((sink) => `${sink.kind}=VAR`).join(' or ')} (VAR holds the URL; repeatable)`,
    flags: [{ kind: 'repeat', flag: 'notify', arg: 'KIND=VAR', join: 'commas', commands: RUN }],
    template: ['notify'],
  }),
  'notify-on': input({
    help: 'regression (default), error or always',
    default: 'regression',
    flags: [value('notify-on', 'WHEN')],
    template: ['notify-on'],
    parse: (text): NotifyOn => {
      const when = optional(text) ?? 'regression';
      if (!(NOTIFY_ON as readonly string[]).includes(when)) {
        throw new ConfigError(`notify-on ${JSON.stringify(when)} is not valid; expected regression, error or always`);
      }
      return when as NotifyOn;
    },
  }),
  'endpoints-top': input({
    help: 'endpoints listed in the per-endpoint table (default 10)',
    default: '10',
    flags: [value('endpoints-top', 'N')],
    template: ['endpoints-top'],
    parse: (text) => wholeNumber('endpoints-top', 1, 100, 'endpoints', 10)(text) ?? 10,
  }),
  confirm: input({
    help: 'rerun a regressed scenario up to N times; fail only if it persists (default 1)',
    flags: [value('confirm', 'N')],
    parse: wholeNumber('confirm', 0, 5, 'reruns', 1),
  }),
  'baseline-target': input({
    help: 'A/B mode: a deployment of the base version, measured at the same time as --target (a duet)',
    flags: [value('baseline-target', 'URL')],
    template: ['baseline-target'],
  }),
  'ab-design': input({
    help: 'A/B mode: duet (default: both sides at once, decided block by block) | abba (6 pairs of whole runs)',
    default: 'duet',
    flags: [value('ab-design', 'DESIGN')],
    template: ['ab-design'],
    parse: parseAbDesign,
  }),
  'ab-min-effect': input({
    help: `A/B duet: the smallest latency change that counts, e.g. 5% (default ${percent(DEFAULT_DUET_OPTIONS.minEffect)})`,
    default: percent(DEFAULT_DUET_OPTIONS.minEffect),
    flags: [value('ab-min-effect', 'P')],
    template: ['ab-min-effect'],
    parse: (text) => ifGiven(text, (given) => parseTolerance(given, 'ab-min-effect')) ?? DEFAULT_DUET_OPTIONS.minEffect,
  }),
  'max-duration': input({
    help: `A/B duet: the most k6 time per side before it says inconclusive (default ${DUET_MAX_DURATION_MS / 1000}s)`,
    default: `${DUET_MAX_DURATION_MS / 1000}s`,
    flags: [value('max-duration', 'D')],
    template: ['max-duration'],
    parse: parseMaxDuration,
  }),
  shard: input({
    help: 'run shard I of N (execution segments); writes shard files for merge',
    flags: [value('shard', 'I/N')],
  }),
  'merge-from': input({
    help: '(merge) folder with the shard files of all shards',
    flags: [value('from', 'DIR')],
  }),
  'collect-run-id': input({
    help: '(collect) the run id: the testrun_name tag of every push (k6-operator: the TestRun name)',
    action: false,
    flags: [value('run-id', 'ID', COLLECT)],
  }),
  'collect-runners': input({
    help: '(collect) how many runners push: instance_id 1..N (the TestRun parallelism)',
    action: false,
    flags: [value('runners', 'N', COLLECT)],
    parse: wholeNumber('runners', 1, 1000, 'runners', 4),
  }),
  'collect-listen': input({
    help: '(collect) address the collector listens on',
    default: '127.0.0.1:9091',
    action: false,
    flags: [value('listen', 'HOST:PORT', COLLECT)],
  }),
  'collect-token-env': input({
    help: '(collect) environment variable holding the Bearer token the runners push with',
    action: false,
    flags: [value('token-env', 'NAME', COLLECT)],
  }),
  'collect-token-file': input({
    help: '(collect) file holding that token (e.g. a mounted Secret), instead of --token-env',
    action: false,
    flags: [value('token-file', 'FILE', COLLECT)],
  }),
  'collect-runner-timeout': input({
    help: '(collect) a runner silent this long without finishing is reported as stopped',
    default: '60s',
    action: false,
    flags: [value('runner-timeout', 'D', COLLECT)],
    parse: (text) => parseTimeLimit('runner-timeout', optional(text) ?? '60s', 'is no time to wait for a push; expected e.g. "60s"'),
  }),
  'collect-deadline': input({
    help: '(collect) the latest end of the whole collection, from its start',
    default: '2h',
    action: false,
    flags: [value('deadline', 'D', COLLECT)],
    parse: (text) => parseTimeLimit('deadline', optional(text) ?? '2h', 'is no time for a test; expected e.g. "2h"'),
  }),
  'collect-linger': input({
    help: '(collect) after the verdict, keep running until stopped (a Deployment keeps its results)',
    action: false,
    flags: [{ kind: 'switch', flag: 'linger', sets: 'true', commands: COLLECT }],
    parse: (text) => parseBoolean('collect-linger', text, false),
  }),
  'mr-note': input({
    help: 'GitLab: post the report as a sticky merge-request note (needs K6_GATE_GITLAB_TOKEN)',
    default: 'true',
    action: false,
    flags: [value('mr-note', 'BOOL')],
    template: ['mr-note'],
    parse: (text) => parseBoolean('mr-note', text, true),
  }),
  'dotenv-prefix': input({
    help: 'GitLab: key prefix of the dotenv variables, e.g. K6_GATE_STAGING_ (default K6_GATE_)',
    action: false,
    flags: [value('dotenv-prefix', 'PREFIX')],
  }),
  token: input({ help: 'GitHub token for the pull request comment', secret: true }),
  comment: input({ help: 'always | on-regression | never', default: 'always', parse: parseCommentMode }),
  'comment-id': input({
    help: 'identifier of the sticky PR comment or MR note (default: the job)',
    flags: [value('comment-id', 'ID')],
  }),
  'artifact-name': input({ help: 'name of the results artifact' }),
  'retention-days': input({
    help: 'artifact retention, 1 to 90 days (empty: the repository default)',
    parse: wholeNumber('retention-days', 1, 90, 'days', 30),
  }),
  'upload-artifacts': input({
    help: 'upload the results folder as an artifact',
    default: 'true',
    parse: (text) => parseBoolean('upload-artifacts', text, true),
  }),
  matrix: input({ help: 'toJSON(matrix) of the job (names the comment and the artifact)' }),
};

export type InputName = keyof typeof INPUTS;
type Parsed<K extends InputName> = (typeof INPUTS)[K] extends InputSpec<infer T> ? T : never;

/** The typed value of one input through its declared parser (the text itself when it has none). */
export function parseInput<K extends InputName>(name: K, text: string | undefined, context: ParseContext = {}): Parsed<K> {
  const spec = INPUTS[name] as InputSpec<unknown>;
  return (spec.parse ? spec.parse(text, context) : optional(text)) as Parsed<K>;
}

/** Flags that are not inputs: what a command prints and how much it says. */
const OUTPUT_FLAGS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OUTPUT_HELP = [
  ['--json', 'print comparison.json instead of the Markdown report'],
  ['--verbose', 'more log lines (and the stack of an error)'],
] as const;

function flagsOf(command: Command): { input: InputName; flag: FlagSpec }[] {
  const out: { input: InputName; flag: FlagSpec }[] = [];
  for (const [name, spec] of Object.entries(INPUTS) as [InputName, InputSpec<unknown>][]) {
    for (const flag of spec.flags ?? []) {
      const commands = flag.commands ?? RUN;
      // collect gates like merge: merge's flags, but its folder is the collector's own.
      const takes = commands.includes(command) || (command === 'collect' && commands.includes('merge') && name !== 'merge-from');
      if (takes) out.push({ input: name, flag });
    }
  }
  return out;
}

/** node:util parseArgs options of a command: its inputs' flags, then `extra` (a command's own flags). */
export function parseArgsOptions(command: Command, extra: ParseArgsConfig['options'] = {}): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { ...extra };
  for (const { flag } of flagsOf(command)) {
    if (flag.kind === 'positional') continue;
    options[flag.flag] =
      flag.kind === 'switch' ? { type: 'boolean' } : { type: 'string', ...(flag.kind === 'repeat' ? { multiple: true } : {}) };
  }
  if (command !== 'install') Object.assign(options, { json: OUTPUT_FLAGS.json });
  return { ...options, verbose: OUTPUT_FLAGS.verbose, help: OUTPUT_FLAGS.help };
}

/**
 * Prepares argv for parseArgs: a value flag takes the next word even when it starts with a dash
 * (`--tolerance -5%` is a bad tolerance, not a missing value; `--k6-args "--tag a=b"` is k6's), and
 * an optional-value flag standing alone gets its bare value.
 */
export function normaliseArgv(command: Command, argv: string[]): string[] {
  const byFlag = new Map<string, FlagSpec>();
  for (const { flag } of flagsOf(command)) if (flag.kind !== 'positional') byFlag.set(`--${flag.flag}`, flag);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const flag = byFlag.get(arg);
    const next = argv[i + 1];
    if (flag?.kind === 'optional-value') {
      if (next !== undefined && flag.valueWords.test(next)) out.push(`${arg}=${argv[++i]}`);
      else out.push(`${arg}=${flag.bare}`);
      continue;
    }
    const takesNext =
      next !== undefined &&
      next.startsWith('-') &&
      ((flag?.kind === 'value' && flag.anyWord === true) ||
        ((flag?.kind === 'value' || flag?.kind === 'repeat') && !byFlag.has(next.split('=')[0])));
    if (takesNext) {
      out.push(`${arg}=${argv[++i]}`);
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Parsed flags → the named inputs, the same names the action reads. */
export function inputsFromFlags(
  command: Command,
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
  positionals: string[],
): Record<string, string | undefined> {
  const inputs: Record<string, string | undefined> = {};
  for (const { input: name, flag } of flagsOf(command)) {
    let given: string | undefined;
    if (flag.kind === 'positional') given = positionals.join('\n');
    else {
      const raw = values[flag.flag];
      if (raw === undefined) continue;
      if (flag.kind === 'switch') given = raw === true ? flag.sets : undefined;
      else if (flag.kind === 'repeat') {
        const words = (raw as string[]).map(String);
        given = flag.join === 'lines' ? words.join('\n') : flag.join === 'commas' ? words.join(',') : words.map(quoteArg).join(' ');
      } else given = String(raw);
    }
    // The first flag given wins over a later one of the same input (`--no-analysis` over `--analysis`).
    if (given !== undefined && inputs[name] === undefined) inputs[name] = given;
  }
  return inputs;
}

/** The options part of a command's `--help`, from the declarations. */
export function renderFlagHelp(command: Command): string {
  const lines: string[] = [];
  const row = (usage: string, text: string) => {
    const [first, ...rest] = text.split('\n');
    lines.push(usage.length < 26 ? `  ${usage.padEnd(26)}${first}` : `  ${usage}\n  ${' '.repeat(26)}${first}`);
    for (const more of rest) lines.push(`  ${' '.repeat(26)}${more}`);
  };
  for (const { input: name, flag } of flagsOf(command)) {
    if (flag.kind === 'positional') continue;
    const text = flag.help ?? INPUTS[name].help;
    if (flag.kind === 'switch') row(`--${flag.flag}`, text);
    else row(`--${flag.flag} ${flag.arg}`, text);
  }
  if (command !== 'install') row(...OUTPUT_HELP[0]);
  row(...OUTPUT_HELP[1]);
  return `${lines.join('\n')}\n`;
}

/** The inputs that hold secrets (masked in every log line before anything runs). */
export const SECRET_INPUTS: readonly InputName[] = (Object.keys(INPUTS) as InputName[]).filter((name) => INPUTS[name].secret === true);
