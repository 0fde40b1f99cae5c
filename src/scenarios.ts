// Scenario resolution: a bundled scenario name or a path to the user's own k6 script, and the key a
// scenario's results have in the baseline. Below the gate so entries, inputs and the operator
// manifest use it without importing the orchestration.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineKey } from './baseline/format.js';
import { ConfigError, type ScenarioSpec } from './config.js';

/** The scenarios shipped with k6-gate, next to dist/ (or src/ when run from source). */
export function bundledScenariosDir(): string {
  if (process.env.K6_GATE_SCENARIOS_DIR) return process.env.K6_GATE_SCENARIOS_DIR;
  // Resolved at run time from this file's own place (src/ or dist/, both one level below the
  // package root); written so the bundler does not rewrite it into a bundled asset path.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, PARENT, SCENARIOS_FOLDER);
}

const PARENT = '..';
const SCENARIOS_FOLDER = 'scenarios';

export async function listBundledScenarios(dir = bundledScenariosDir()): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts'))
      .map((e) => e.name.replace(/\.(ts|js)$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A scenario is a path to a k6 script (relative to the workspace) or the name of a bundled one.
 * `name=path` gives a path its own report name.
 */
export async function resolveScenario(input: string, workspace: string, scenariosDir = bundledScenariosDir()): Promise<ScenarioSpec> {
  const text = input.trim();
  const eq = text.indexOf('=');
  const [givenName, ref] = eq > 0 && !text.slice(0, eq).includes('/') ? [text.slice(0, eq), text.slice(eq + 1)] : [undefined, text];
  const looksLikePath = /[\\/]/.test(ref) || /\.(m?js|ts|cjs)$/.test(ref);
  if (looksLikePath) {
    const script = path.resolve(workspace, ref);
    if (!existsSync(script)) {
      throw new ConfigError(
        `scenario ${JSON.stringify(ref)}: no file at ${script}; expected a k6 script path relative to the workspace, or a bundled scenario name`,
      );
    }
    return { name: givenName ?? path.basename(ref).replace(/\.(m?js|ts|cjs)$/, ''), script };
  }
  for (const ext of ['.ts', '.js']) {
    const script = path.join(scenariosDir, ref + ext);
    if (existsSync(script)) return { name: givenName ?? ref, script };
  }
  const known = await listBundledScenarios(scenariosDir);
  throw new ConfigError(
    `unknown scenario ${JSON.stringify(ref)}; expected a k6 script path or one of the bundled scenarios: ${known.join(', ') || '(none found)'}`,
  );
}

/** The baseline key of a scenario run: see baselineKey (the environment keeps histories apart). */
export function scenarioKey(scenario: string, profile?: string, environment?: string): string {
  return baselineKey({ scenario, profile, environment });
}
