// Step 2: what the run is judged against: the rules (k6-gate.config.json|yaml) and the baseline
// file. A baseline without an entry for a scenario's key is warned about: a key typo (or another
// profile) would otherwise pass silently with every metric "new".
import { loadBaseline, type BaselineFile } from '../baseline/format.js';
import { loadRules } from '../baseline/rules.js';
import { unmigratedKeysFor } from '../baseline/update.js';
import type { Judging } from './judge.js';
import { refuseOwnOutputBaseline } from './results-dir.js';
import { GateStop, keyOf, type GateRun } from './result.js';

/** Reads the rules and the baseline; a problem with either ends the run (`GateStop`). */
export async function readRulesAndBaseline(run: GateRun): Promise<Judging> {
  try {
    const rules = await loadRules(run.config.configFile, run.config.rulesOverrides);
    refuseOwnOutputBaseline(run);
    const baseline = await loadBaseline(run.config.baselinePath);
    run.result.warnings.push(...baselineKeyWarnings(run, baseline));
    return { rules, baseline };
  } catch (error) {
    throw new GateStop((error as Error).message);
  }
}

/** Why the baseline will not be used for some scenario of this run (no file, no entry under its key). */
function baselineKeyWarnings(run: GateRun, baseline: BaselineFile | undefined): string[] {
  const { config, result } = run;
  const shown = result.baselinePath;
  if (!baseline) return [`no baseline at ${shown}: every metric is reported as new; run with update-baseline to create it`];
  // A shard's numbers are judged only after the merge.
  if (config.shard) return [];
  const warnings: string[] = [];
  for (const spec of config.scenarios) {
    const key = keyOf(config, spec);
    if (baseline.scenarios[key]) continue;
    const known = Object.keys(baseline.scenarios).sort().join(', ') || 'none';
    const legacy = config.environment ? unmigratedKeysFor(baseline, spec.name, config.profile) : [];
    warnings.push(
      legacy.length > 0
        ? `${shown} has ${JSON.stringify(legacy[0])}, recorded before baseline keys named the environment, but no ${JSON.stringify(key)}: it is not used for ${config.environment} (another environment may have recorded it), so every metric is reported as new; if those runs measured ${config.environment}, move them with \`k6-gate baseline migrate --environment ${config.environment}\``
        : `${shown} has no entry for ${JSON.stringify(key)} (it has: ${known}): every metric is reported as new`,
    );
  }
  return warnings;
}
