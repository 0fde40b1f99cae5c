// `k6-gate baseline show | diff | update`: look at and maintain the baseline file by hand.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { diffBaselines, renderBaselineChanges, renderBaselineShow } from './baseline/commands.js';
import { loadBaseline, saveBaseline } from './baseline/format.js';
import { loadRules } from './baseline/rules.js';
import { updateBaseline } from './baseline/update.js';
import { ConfigError, DEFAULT_BASELINE_PATH, insideWorkspace, optional } from './config.js';
import { parseSummary } from './k6/summary.js';
import type { Logger } from './log.js';
import { scenarioKey } from './pipeline.js';

interface BaselineIO {
  cwd: string;
  stdout: (text: string) => void;
}

const HELP = `k6-gate baseline show [--baseline FILE] [--changes]
  Prints the accepted values and history of every scenario in the baseline. --changes: the commits
  where a watched stat stepped in the long trend, and by how much (docs/baseline.md).
k6-gate baseline diff OLD NEW
  Prints what changed between two baseline files (e.g. before and after a run).
k6-gate baseline update --summary FILE --scenario NAME [--profile P] [--baseline FILE] [--config FILE]
                        [--k6-version V] [--commit SHA] [--ref REF]
  Records one k6 summary export (e.g. summary-<scenario>.json from a run's artifacts) into the
  baseline history and prints the change. Use it to accept a run the gate did not record itself.
`;

export async function runBaselineCommand(args: string[], io: BaselineIO, log: Logger): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        baseline: { type: 'string' },
        summary: { type: 'string' },
        scenario: { type: 'string' },
        profile: { type: 'string' },
        config: { type: 'string' },
        'k6-version': { type: 'string' },
        commit: { type: 'string' },
        ref: { type: 'string' },
        changes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}; see k6-gate baseline --help`);
  }
  const { values, positionals } = parsed;
  if (sub === undefined || sub === '--help' || sub === '-h' || values.help) {
    io.stdout(HELP);
    return sub === undefined ? 2 : 0;
  }
  const baselineFile = insideWorkspace('baseline', values.baseline ?? DEFAULT_BASELINE_PATH, io.cwd);
  switch (sub) {
    case 'show': {
      const render = values.changes ? renderBaselineChanges : renderBaselineShow;
      io.stdout(render(await loadBaseline(baselineFile), path.relative(io.cwd, baselineFile)));
      return 0;
    }
    case 'diff': {
      if (positionals.length !== 2)
        throw new ConfigError(`baseline diff takes two files (OLD NEW), got ${positionals.length}; see k6-gate baseline --help`);
      const [before, after] = await Promise.all(positionals.map((file) => loadBaseline(path.resolve(io.cwd, file))));
      io.stdout(diffBaselines(before, after));
      return 0;
    }
    case 'update': {
      const summaryFile = optional(values.summary);
      const scenario = optional(values.scenario);
      if (!summaryFile || !scenario) {
        throw new ConfigError(
          'baseline update needs --summary FILE (a k6 summary export) and --scenario NAME; see k6-gate baseline --help',
        );
      }
      const summaryPath = path.resolve(io.cwd, summaryFile);
      let text: string;
      try {
        text = await readFile(summaryPath, 'utf8');
      } catch (error) {
        throw new ConfigError(
          `summary ${summaryFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a k6 --summary-export file`,
        );
      }
      const summary = parseSummary(text, summaryFile);
      const rules = await loadRules(values.config ? insideWorkspace('config', values.config, io.cwd) : undefined);
      const before = await loadBaseline(baselineFile);
      const after = updateBaseline(
        before,
        [
          {
            key: scenarioKey(scenario, optional(values.profile)),
            scenario,
            profile: optional(values.profile),
            summary,
            k6Version: optional(values['k6-version']) ?? summary.k6Version ?? 'unknown',
            commit: optional(values.commit),
            ref: optional(values.ref),
            date: new Date().toISOString(),
          },
        ],
        rules,
      );
      await saveBaseline(baselineFile, after);
      log.info(
        `k6-gate: recorded ${summaryFile} as ${scenarioKey(scenario, optional(values.profile))} in ${path.relative(io.cwd, baselineFile)}`,
      );
      io.stdout(diffBaselines(before, after));
      return 0;
    }
    default:
      throw new ConfigError(`unknown baseline command ${JSON.stringify(sub)}; expected show, diff or update`);
  }
}
