// The one typed configuration that both entries (action inputs, CLI flags) produce and the
// gate consumes. Parsing helpers here are shared by both entries so that an input means the
// same thing everywhere.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FailOn } from './model.js';
import { ConfigError } from './errors.js';
import type { MetricsOutput } from './observability/metrics-output.js';

export type K6InstallMethod = 'auto' | 'release' | 'go' | 'path';
export type UpdateBaseline = 'never' | 'auto' | 'always' | 'force';
export type CommentMode = 'always' | 'on-regression' | 'never';

export interface ScenarioSpec {
  /** Name used in reports, file names and baseline keys. */
  name: string;
  /** Absolute path of the k6 script. */
  script: string;
}

export interface K6Options {
  version: string;
  install: K6InstallMethod;
  /** URL template for release archives: `{version}` (without v), `{tag}` (vX.Y.Z), `{asset}` (file name). */
  downloadUrl?: string;
  /** An explicit k6 binary (install: path). */
  path?: string;
  /** The SHA-256 the release archive for this machine must have (`k6-sha256`). */
  sha256?: string;
}

export interface Config {
  scenarios: ScenarioSpec[];
  profile?: string;
  /** Base URL of the system under test, handed to scenarios as BASE_URL. */
  target?: string;
  /** Named environment (for reports and the protected-environment rule). */
  environment?: string;
  /** The environment is protected (isProtectedEnvironment): a run without its baseline entry is an error… */
  protectedEnvironment?: boolean;
  /** …unless this lets a run without a baseline entry pass there (`allow-new-baseline`). */
  allowNewBaseline?: boolean;
  /** URL the preflight waits on before k6 starts; empty means no preflight. */
  healthUrl?: string;
  preflightTimeoutMs: number;
  baselinePath: string;
  /** Optional rules file (k6-gate.config.json / .yaml). */
  configFile?: string;
  /** Inputs that override the rules file: tolerance, history-limit, confidence, watch. */
  rulesOverrides?: { tolerance?: number; historyLimit?: number; confidence?: number; watch?: string[] };
  resultsDir: string;
  failOn: FailOn[];
  updateBaseline: UpdateBaseline;
  /** Propose the updated baseline file in a pull/merge request instead of leaving it in the workspace only. */
  proposeBaseline?: BaselineProposal;
  k6: K6Options;
  /** Extra environment for k6 (KEY=VALUE), e.g. knobs of the scenario. */
  env: Record<string, string>;
  /** Values that must never be printed (tokens, passwords). */
  secrets: string[];
  /** Extra k6 arguments, already split like a shell would (no shell involved). */
  k6Args: string[];
  /** Kill k6 after this long (SIGINT, grace period, then SIGKILL); undefined = no limit. */
  timeoutMs?: number;
  /** Write the k6 web-dashboard HTML report. */
  htmlReport: boolean;
  /** Also write raw samples (`--out json=k6-<scenario>.json.gz`). */
  rawOutput: boolean;
  /** Confirmation reruns of a regressed scenario (src/verdict/confirm.ts); undefined = DEFAULT_CONFIRM. */
  confirm?: number;
  /** A/B mode: base URL of a deployment of the base version, run in interleaved rounds with `target` (src/verdict/ab.ts). */
  baselineTarget?: string;
  /**
   * How A/B mode measures: `duet` (default; A and B at the same time, decided block by block,
   * src/verdict/duet/) or `abba` (interleaved pairs of whole runs, src/verdict/ab.ts).
   */
  abDesign?: 'duet' | 'abba';
  /** Duet: the practical size of a latency change (0.02 = 2 %); undefined = the duet's default. */
  abMinEffect?: number;
  /** Duet: the most k6 time per side (ms); undefined = the duet's default. */
  maxDurationMs?: number;
  /**
   * Live sample analysis (src/samples/live.ts): per-endpoint table, error mix, load-generator
   * health. `top` = endpoints listed in the report. Unset = on, top 10.
   */
  analysis?: { enabled: boolean; top: number };
  /**
   * Notifications (src/notify/): where to (the URL is read from the named environment variable and
   * is a secret) and when. Undefined = none.
   */
  notify?: { targets: { kind: string; envName: string; url: string }[]; on: 'regression' | 'error' | 'always' };
  /**
   * Shard mode: run only shard `index` (1-based) of `count` with k6 execution segments
   * (src/shard/shard.ts `shardArgs`), writing its state file (or, with `rawOutput`, its raw samples)
   * and the summary under shard-suffixed names (`shardStateFileName`, `shardRawFileName`,
   * `shardSummaryFileName`) for a later merge.
   */
  shard?: { index: number; count: number };
  /**
   * Merge mode: instead of running k6, rebuild each scenario's summary from the shard files found
   * under `dir` (src/shard/gate-files.ts `mergeScenarioForGate`), then compare and report as usual.
   */
  merge?: {
    dir: string;
    /**
     * Why the merged states cannot be gated, found before the merge (the collector: a runner missing
     * or duplicated, series dropped); the scenario is an error naming them, the states still written.
     */
    problems?: string[];
  };
  /**
   * Collect mode (`k6-gate collect`, src/shard/collector.ts): k6 processes push to a receiver;
   * their states then go to merge mode from `merge.dir`.
   */
  collect?: {
    runId: string;
    runners: number;
    host: string;
    port: number;
    /** The Bearer token the runners push with (a secret: in `secrets` too). */
    token: string;
    runnerTimeoutMs: number;
    deadlineMs: number;
    /** After the verdict, wait for a stop signal (a Deployment's pod keeps its results instead of restarting). */
    linger: boolean;
  };
  /** Root that baseline and results paths must stay inside. */
  workspace: string;
  /** Where k6 streams its samples during the run (`metrics-output`); the first prometheus one also gets k6-gate's verdict series. */
  metricsOutputs?: MetricsOutput[];
  /** Git facts for baseline history (commit, ref, default-branch status). */
  git: { commit?: string; ref?: string; isDefaultBranch?: boolean };
}

/** Bad input (errors.ts); re-exported here, where inputs are parsed. */
export { ConfigError } from './errors.js';

/**
 * The run is an A/B duet (baseline-target set, ab-design duet): A and B are measured at the same
 * time and compared with each other; the baseline file is neither read for the verdict nor written.
 */
export function isDuet(config: Pick<Config, 'baselineTarget' | 'abDesign'>): boolean {
  return config.baselineTarget !== undefined && config.abDesign !== 'abba';
}

/** Empty input means "not set". */
export function optional(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export const DEFAULT_K6_VERSION = '2.2.0';
export const DEFAULT_RESULTS_DIR = 'k6-gate-results';
export const DEFAULT_BASELINE_PATH = 'k6-baseline.json';

/** `v2.2.0` or `2.2.0` → `2.2.0`; anything else is a clear error. */
export function parseK6Version(value: string): string {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(value.trim());
  if (!match) {
    throw new ConfigError(
      `k6-version ${JSON.stringify(value)} is not a version; expected X.Y.Z such as "${DEFAULT_K6_VERSION}" (a leading "v" is fine)`,
    );
  }
  return value.trim().replace(/^v/, '');
}

export function parseFailOn(value: string | undefined): FailOn[] {
  const text = optional(value);
  if (text === undefined) return ['regression', 'thresholds'];
  if (text === 'none' || text === 'never') return [];
  const out: FailOn[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const word = part === 'regressions' ? 'regression' : part === 'threshold' ? 'thresholds' : part;
    if (word !== 'regression' && word !== 'thresholds' && word !== 'inconclusive') {
      throw new ConfigError(
        `fail-on ${JSON.stringify(text)}: unknown word ${JSON.stringify(part)}; expected a comma list of "regression", "thresholds" and "inconclusive", or "none"`,
      );
    }
    if (!out.includes(word)) out.push(word);
  }
  return out;
}

export function parseInstallMethod(value: string | undefined): K6InstallMethod {
  const text = optional(value) ?? 'auto';
  if (text === 'auto' || text === 'release' || text === 'go' || text === 'path') return text;
  throw new ConfigError(`k6-install ${JSON.stringify(text)} is not a method; expected one of auto, release, go, path`);
}

/**
 * `true` means `auto` in CI (a baseline learns only from the default branch) and `always` on a
 * laptop, where asking for it is the decision.
 */
export function parseUpdateBaseline(value: string | undefined, trueMeans: 'auto' | 'always' = 'always'): UpdateBaseline {
  // Only the documented words: a near miss ("yes", "on") is a typo to report, not a guess to make.
  const text = optional(value)?.toLowerCase();
  if (text === undefined || text === 'false' || text === 'never') return 'never';
  if (text === 'true') return trueMeans;
  if (text === 'always' || text === 'auto' || text === 'force') return text;
  // A proposal records like `always` (passed or regressed runs); the change request is the review.
  if (parseBaselineProposal(text)) return 'always';
  throw new ConfigError(
    `update-baseline ${JSON.stringify(value)} is not valid; expected false, true, auto (default branch only), always (passed or regressed runs), force (any run), or pull-request / merge-request (propose the updated file in a pull or merge request)`,
  );
}

/** `update-baseline: pull-request` (GitHub) or `merge-request` (GitLab): the updated file goes to a branch and a change request. */
export type BaselineProposal = 'pull-request' | 'merge-request';

export function parseBaselineProposal(value: string | undefined): BaselineProposal | undefined {
  const text = optional(value)?.toLowerCase();
  return text === 'pull-request' || text === 'merge-request' ? text : undefined;
}

export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = optional(value)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', 'yes', '1', 'on'].includes(text)) return true;
  if (['false', 'no', '0', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} ${JSON.stringify(value)} is not a boolean; expected true or false`);
}

/** `30s`, `5m`, `1h30m`, `1500ms` or a bare number of seconds → milliseconds. */
export function parseDuration(name: string, value: string | undefined): number | undefined {
  const text = optional(value);
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    total += Number(m[1]) * factor;
    matched = re.lastIndex;
  }
  if (matched !== text.length || matched === 0) {
    throw new ConfigError(`${name} ${JSON.stringify(text)} is not a duration; expected e.g. "90s", "5m", "1h30m"`);
  }
  return total;
}

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms. */
export const MAX_TIME_LIMIT_MS = 24 * 24 * 3_600_000;
/** A limit shorter than this stops k6 before it has started. */
export const MIN_TIME_LIMIT_MS = 1000;

/**
 * A duration used as a time limit: at least a second, at most 24 days; unset means no limit.
 * `tooShort` says what a shorter limit would do and the way out (the default: a k6 time limit).
 */
export function parseTimeLimit(name: string, value: string | undefined, tooShort?: string): number | undefined {
  const ms = parseDuration(name, value);
  if (ms === undefined) return undefined;
  if (ms < MIN_TIME_LIMIT_MS) {
    throw new ConfigError(
      `${name} ${JSON.stringify(optional(value))} is shorter than 1s and ${tooShort ?? `would stop k6 before it starts; expected e.g. "90s", "30m", or no ${name} for no limit`}`,
    );
  }
  if (ms > MAX_TIME_LIMIT_MS) {
    throw new ConfigError(
      `${name} ${JSON.stringify(optional(value))} is longer than 24 days, the longest limit k6-gate can keep; expected e.g. "2h", or no ${name} for no limit`,
    );
  }
  return ms;
}

/** Splits a list input written one per line or comma separated. */
export function parseList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Splits a command line the way a POSIX shell splits words (quotes, backslashes), without running
 * a shell: `$(cmd)` and `$VAR` stay literal text.
 */
export function splitArgs(text: string | undefined): string[] {
  const input = text ?? '';
  const out: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1])) current += input[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < input.length) {
      current += input[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new ConfigError(`unterminated ${quote} quote in ${JSON.stringify(input)}`);
  if (inWord) out.push(current);
  return out;
}

/** One word quoted so that `splitArgs` gives it back unchanged (the inverse of splitting one word). */
export function quoteArg(word: string): string {
  return word !== '' && !/[\s"'\\]/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `KEY=VALUE` lines or comma/space separated pairs → a map; values may contain `=`. */
export function parseEnvPairs(name: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of splitArgs((text ?? '').replace(/\r?\n/g, ' '))) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new ConfigError(`${name}: ${JSON.stringify(line)} is not KEY=VALUE; expected e.g. "VUS=5 DURATION=30s"`);
    }
    out[key] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Where a path really leads, links followed: the real path of its longest existing part plus the
 * rest (a file not written yet), a dangling link followed to where it points.
 */
export function realPathOf(p: string, depth = 0): string {
  try {
    return realpathSync(p);
  } catch {
    try {
      if (depth < 40 && lstatSync(p).isSymbolicLink()) return realPathOf(path.resolve(path.dirname(p), readlinkSync(p)), depth + 1);
    } catch {
      // not there at all: resolved through its parent below
    }
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realPathOf(parent, depth + 1), path.basename(p));
  }
}

/**
 * Resolves `p` against the workspace and refuses a path that leaves it, also through a symbolic
 * link (`ln -s /etc/passwd b.json`): links are followed before the check.
 */
export function insideWorkspace(name: string, p: string, workspace: string): string {
  const resolved = path.resolve(workspace, p);
  const outside = (file: string, root: string) => {
    const relative = path.relative(root, file);
    return relative.startsWith('..') || path.isAbsolute(relative);
  };
  if (outside(resolved, workspace)) {
    throw new ConfigError(
      `${name} ${JSON.stringify(p)} resolves to ${resolved}, outside the workspace ${workspace}; expected a path inside it`,
    );
  }
  const real = realPathOf(resolved);
  if (outside(real, realPathOf(workspace))) {
    throw new ConfigError(
      `${name} ${JSON.stringify(p)} is a link to ${real}, outside the workspace ${workspace}; expected a path inside it (links are followed)`,
    );
  }
  return resolved;
}

/**
 * Command-line flags read with node's parseArgs (strict), its error said the way every other input
 * error is: what is wrong, then where to look (`see k6-gate <command> --help`).
 */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(
  options: T,
  args: string[],
  command: string | undefined,
  allowPositionals = true,
) {
  try {
    return parseArgs({ options, args, allowPositionals, strict: true });
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message.replace(/\. To specify.*$/s, '')}; see k6-gate ${command ? `${command} ` : ''}--help`,
    );
  }
}
