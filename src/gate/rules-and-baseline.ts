// Step 2: what the run is judged against: the rules (k6-gate.config.json|yaml) and the baseline
// file. A baseline without an entry for a scenario's key is warned about: a key typo (or another
// profile) would otherwise pass silently with every metric "new". In a protected environment it is
// an error naming the key found and the key expected, unless allow-new-baseline lets it pass.
import { ConfigError, isDuet } from '../config.js';
import { loadBaseline, splitBaselineKey, type BaselineFile } from '../baseline/format.js';
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
    refuseMissingProtectedEntries(run, baseline);
    run.result.warnings.push(...baselineKeyWarnings(run, baseline));
    return { rules, baseline };
  } catch (error) {
    // The rules file or the baseline the user gave cannot be used: the report's headline says "bad input".
    run.result.badInput = true;
    throw new GateStop((error as Error).message);
  }
}

/** Why the baseline will not be used for some scenario of this run (no file, no entry under its key). */
function baselineKeyWarnings(run: GateRun, baseline: BaselineFile | undefined): string[] {
  const { config, result } = run;
  const shown = result.baselinePath;
  if (isDuet(config)) return [];
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

const OPT_IN = 'set allow-new-baseline: true (--allow-new-baseline true) to let a first run pass and record it';

/** In a protected environment a scenario without its baseline entry is not a pass (ConfigError). */
function refuseMissingProtectedEntries(run: GateRun, baseline: BaselineFile | undefined): void {
  const { config, result } = run;
  // A shard is judged after the merge, which applies the rule; a duet compares A with B, not with the file.
  if (!config.protectedEnvironment || config.allowNewBaseline || config.shard || isDuet(config)) return;
  const where = `${config.environment ?? 'this'} is a protected environment: a run without its baseline is not a pass`;
  for (const spec of config.scenarios) {
    const key = keyOf(config, spec);
    if (!baseline) {
      throw new ConfigError(
        `no baseline at ${result.baselinePath}, and ${where}; expected a baseline with ${JSON.stringify(key)}, or ${OPT_IN}`,
      );
    }
    if (baseline.scenarios[key]) continue;
    const near = nearestKey(key, Object.keys(baseline.scenarios));
    const legacy = config.environment ? unmigratedKeysFor(baseline, spec.name, config.profile)[0] : undefined;
    const found = legacy
      ? `The file has ${JSON.stringify(legacy)}, recorded before baseline keys named the environment: expected ${JSON.stringify(key)}; if those runs measured ${config.environment}, move them with \`k6-gate baseline migrate --environment ${config.environment}\`, or ${OPT_IN}`
      : near
        ? `The file has ${JSON.stringify(near.key)} (${near.difference}): expected ${JSON.stringify(key)}; run with the ${near.what} it was recorded with, or ${OPT_IN}`
        : `The file has ${
            Object.keys(baseline.scenarios)
              .sort()
              .map((k) => JSON.stringify(k))
              .join(', ') || 'no entries'
          }: expected ${JSON.stringify(key)}; ${OPT_IN}`;
    throw new ConfigError(`baseline ${result.baselinePath} has no entry for ${JSON.stringify(key)}, and ${where}. ${found}`);
  }
}

/**
 * The key of the same scenario that differs from `key` in its profile or its environment alone
 * (`http-endpoints@@staging` for `http-endpoints@smoke@staging`): the likely near miss.
 */
function nearestKey(key: string, keys: readonly string[]): { key: string; difference: string; what: string } | undefined {
  const want = splitBaselineKey(key);
  for (const candidate of [...keys].sort()) {
    const have = splitBaselineKey(candidate);
    if (have.scenario !== want.scenario) continue;
    if (have.environment === want.environment && have.profile !== want.profile) {
      return {
        key: candidate,
        difference: have.profile ? `recorded with profile ${have.profile}` : 'recorded with no profile',
        what: 'profile',
      };
    }
    if (have.profile === want.profile && have.environment !== want.environment) {
      return {
        key: candidate,
        difference: have.environment ? `recorded for environment ${have.environment}` : 'recorded with no environment',
        what: 'environment',
      };
    }
  }
  return undefined;
}
