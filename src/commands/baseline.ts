// `k6-gate baseline show | diff | update`: look at and maintain the baseline file by hand.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { diffBaselines, renderBaselineChanges, renderBaselineShow } from '../baseline/commands.js';
import { BaselineError, baselineKey, loadBaseline, type BaselineFile } from '../baseline/format.js';
import { updateBaselineFile } from '../baseline/store.js';
import { loadRules } from '../baseline/rules.js';
import { migrateToEnvironment, updateBaseline } from '../baseline/update.js';
import { ConfigError, DEFAULT_BASELINE_PATH, insideWorkspace, optional, parseCommandArgs } from '../config.js';
import { parseInput } from '../input-spec.js';
import { parseSummary } from '../k6/summary.js';
import { scenarioNameProblem } from '../scenarios.js';
import type { Logger } from '../log.js';

interface BaselineIO {
  cwd: string;
  stdout: (text: string) => void;
}

const HELP = `k6-gate baseline show [--baseline FILE] [--changes]
  Prints the accepted values and history of every scenario in the baseline. --changes: the commits
  where a watched stat stepped in the long trend, and by how much (docs/baseline.md).
k6-gate baseline diff OLD NEW
  Prints what changed between two baseline files (e.g. before and after a run); both must exist.
k6-gate baseline update --summary FILE --scenario NAME [--profile P] [--environment E] [--baseline FILE]
                        [--config FILE] [--k6-version V] [--commit SHA] [--ref REF]
  Records one k6 summary export (e.g. summary-<scenario>.json from a run's artifacts) into the
  baseline history and prints the change. Use it to accept a run the gate did not record itself.
k6-gate baseline migrate --environment E [--key KEY]... [--baseline FILE]
  Moves histories recorded before baseline keys named the environment (scenario@profile) to
  scenario@profile@E. Name the environment those runs measured; --key limits the move.
`;

export async function runBaselineCommand(args: string[], io: BaselineIO, log: Logger): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseCommandArgs(
    {
      baseline: { type: 'string' },
      summary: { type: 'string' },
      scenario: { type: 'string' },
      profile: { type: 'string' },
      environment: { type: 'string' },
      key: { type: 'string', multiple: true },
      config: { type: 'string' },
      'k6-version': { type: 'string' },
      commit: { type: 'string' },
      ref: { type: 'string' },
      changes: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    rest,
    'baseline',
  );
  const { values, positionals } = parsed;
  if (sub === undefined || sub === '--help' || sub === '-h' || values.help) {
    io.stdout(HELP);
    return sub === undefined ? 2 : 0;
  }
  const baselineFile = insideWorkspace('baseline', values.baseline ?? DEFAULT_BASELINE_PATH, io.cwd);
  try {
    return await baselineSubcommand(sub, values, positionals, baselineFile, io, log);
  } catch (error) {
    // A bad or unwritable baseline is bad input: a message, never a stack.
    if (error instanceof BaselineError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

/** A baseline file that must exist (diff compares two files: a missing one is a typo, not "empty"). */
async function loadExistingBaseline(file: string, shown: string): Promise<BaselineFile> {
  const baseline = await loadBaseline(file);
  if (!baseline) throw new ConfigError(`baseline ${shown} does not exist; expected a baseline JSON file`);
  return baseline;
}

type Values = Record<string, string | string[] | boolean | undefined>;

/** What every subcommand is given: its flags, its positionals, the baseline file, where to print. */
interface Subcommand {
  values: Values;
  positionals: string[];
  baselineFile: string;
  io: BaselineIO;
  log: Logger;
}

const SUBCOMMANDS: Record<string, (run: Subcommand) => Promise<number>> = {
  show: showBaseline,
  diff: diffBaselineFiles,
  update: recordSummary,
  migrate: migrateBaseline,
};

async function baselineSubcommand(
  sub: string,
  values: Values,
  positionals: string[],
  baselineFile: string,
  io: BaselineIO,
  log: Logger,
): Promise<number> {
  const subcommand = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!subcommand) throw new ConfigError(`unknown baseline command ${JSON.stringify(sub)}; expected show, diff, update or migrate`);
  return subcommand({ values, positionals, baselineFile, io, log });
}

/** A flag's text; empty means not given. */
function text(values: Values, name: string): string | undefined {
  return optional(values[name] as string | undefined);
}

async function showBaseline({ values, baselineFile, io }: Subcommand): Promise<number> {
  const render = values.changes ? renderBaselineChanges : renderBaselineShow;
  io.stdout(render(await loadBaseline(baselineFile), path.relative(io.cwd, baselineFile)));
  return 0;
}

async function diffBaselineFiles({ positionals, io }: Subcommand): Promise<number> {
  if (positionals.length !== 2)
    throw new ConfigError(`baseline diff takes two files (OLD NEW), got ${positionals.length}; see k6-gate baseline --help`);
  const before = await loadExistingBaseline(path.resolve(io.cwd, positionals[0]), positionals[0]);
  const after = await loadExistingBaseline(path.resolve(io.cwd, positionals[1]), positionals[1]);
  io.stdout(diffBaselines(before, after));
  return 0;
}

/** `baseline update`: one k6 summary export recorded into the baseline history. */
async function recordSummary({ values, baselineFile, io, log }: Subcommand): Promise<number> {
  const summaryFile = text(values, 'summary');
  const scenario = text(values, 'scenario');
  if (!summaryFile || !scenario) {
    throw new ConfigError('baseline update needs --summary FILE (a k6 summary export) and --scenario NAME; see k6-gate baseline --help');
  }
  const nameProblem = scenarioNameProblem(scenario);
  if (nameProblem) throw new ConfigError(`${nameProblem}; expected a name without "@" or white space, e.g. checkout`);
  // Checked before anything is read: a history entry says which k6 measured it.
  const givenVersion = text(values, 'k6-version');
  const k6Version = givenVersion !== undefined ? parseInput('k6-version', givenVersion) : undefined;
  const summary = parseSummary(await readSummaryFile(path.resolve(io.cwd, summaryFile), summaryFile), summaryFile);
  const config = text(values, 'config');
  const rules = await loadRules(config ? insideWorkspace('config', config, io.cwd) : undefined);
  const parts = { scenario, profile: text(values, 'profile'), environment: text(values, 'environment') };
  const key = baselineKey(parts);
  const run = {
    key,
    ...parts,
    summary,
    k6Version: k6Version ?? summary.k6Version ?? 'unknown',
    commit: text(values, 'commit'),
    ref: text(values, 'ref'),
    date: new Date().toISOString(),
  };
  const { before, after, written } = await updateBaselineFile(baselineFile, (current) => updateBaseline(current, [run], rules), { log });
  const isLink = (await lstat(baselineFile).catch(() => undefined))?.isSymbolicLink() ?? false;
  const through = isLink ? ` (a link: written to ${written}, the link kept)` : '';
  log.info(`k6-gate: recorded ${summaryFile} as ${key} in ${path.relative(io.cwd, baselineFile)}${through}`);
  io.stdout(diffBaselines(before, after));
  return 0;
}

async function readSummaryFile(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `summary ${shown} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a k6 --summary-export file`,
    );
  }
}

/** `baseline migrate`: histories recorded before keys named the environment moved under it. */
async function migrateBaseline({ values, baselineFile, io, log }: Subcommand): Promise<number> {
  const environment = text(values, 'environment');
  if (!environment) throw new ConfigError('baseline migrate needs --environment NAME: the environment the existing histories measured');
  const shown = path.relative(io.cwd, baselineFile);
  await loadExistingBaseline(baselineFile, shown);
  let moved: { from: string; to: string }[] = [];
  const { before, after } = await updateBaselineFile(
    baselineFile,
    (current) => {
      const migrated = migrateToEnvironment(current!, environment, values.key as string[] | undefined);
      moved = migrated.moved;
      return migrated.baseline;
    },
    { log },
  );
  log.info(
    moved.length === 0
      ? `k6-gate: ${shown} has no history without an environment; nothing moved`
      : `k6-gate: moved ${moved.map((m) => `${m.from} -> ${m.to}`).join(', ')} in ${shown}`,
  );
  io.stdout(diffBaselines(before, after));
  return 0;
}
