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

async function baselineSubcommand(
  sub: string,
  values: Record<string, string | string[] | boolean | undefined>,
  positionals: string[],
  baselineFile: string,
  io: BaselineIO,
  log: Logger,
): Promise<number> {
  const text = (name: string) => optional(values[name] as string | undefined);
  switch (sub) {
    case 'show': {
      const render = values.changes ? renderBaselineChanges : renderBaselineShow;
      io.stdout(render(await loadBaseline(baselineFile), path.relative(io.cwd, baselineFile)));
      return 0;
    }
    case 'diff': {
      if (positionals.length !== 2)
        throw new ConfigError(`baseline diff takes two files (OLD NEW), got ${positionals.length}; see k6-gate baseline --help`);
      const before = await loadExistingBaseline(path.resolve(io.cwd, positionals[0]), positionals[0]);
      const after = await loadExistingBaseline(path.resolve(io.cwd, positionals[1]), positionals[1]);
      io.stdout(diffBaselines(before, after));
      return 0;
    }
    case 'update': {
      const summaryFile = text('summary');
      const scenario = text('scenario');
      if (!summaryFile || !scenario) {
        throw new ConfigError(
          'baseline update needs --summary FILE (a k6 summary export) and --scenario NAME; see k6-gate baseline --help',
        );
      }
      const nameProblem = scenarioNameProblem(scenario);
      if (nameProblem) throw new ConfigError(`${nameProblem}; expected a name without "@" or white space, e.g. checkout`);
      // Checked before anything is read: a history entry says which k6 measured it.
      const k6Version = text('k6-version') !== undefined ? parseInput('k6-version', text('k6-version')) : undefined;
      const summaryPath = path.resolve(io.cwd, summaryFile);
      let summaryText: string;
      try {
        summaryText = await readFile(summaryPath, 'utf8');
      } catch (error) {
        throw new ConfigError(
          `summary ${summaryFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a k6 --summary-export file`,
        );
      }
      const summary = parseSummary(summaryText, summaryFile);
      const config = text('config');
      const rules = await loadRules(config ? insideWorkspace('config', config, io.cwd) : undefined);
      const parts = { scenario, profile: text('profile'), environment: text('environment') };
      const key = baselineKey(parts);
      const { before, after, written } = await updateBaselineFile(
        baselineFile,
        (current) =>
          updateBaseline(
            current,
            [
              {
                key,
                ...parts,
                summary,
                k6Version: k6Version ?? summary.k6Version ?? 'unknown',
                commit: text('commit'),
                ref: text('ref'),
                date: new Date().toISOString(),
              },
            ],
            rules,
          ),
        { log },
      );
      const isLink = (await lstat(baselineFile).catch(() => undefined))?.isSymbolicLink() ?? false;
      const through = isLink ? ` (a link: written to ${written}, the link kept)` : '';
      log.info(`k6-gate: recorded ${summaryFile} as ${key} in ${path.relative(io.cwd, baselineFile)}${through}`);
      io.stdout(diffBaselines(before, after));
      return 0;
    }
    case 'migrate': {
      const environment = text('environment');
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
    default:
      throw new ConfigError(`unknown baseline command ${JSON.stringify(sub)}; expected show, diff, update or migrate`);
  }
}
