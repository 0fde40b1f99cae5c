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
  // No environment variable moves them: a CI/CD variable must not swap the script a gate runs.
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
    return {
      name: checkScenarioName(givenName ?? path.basename(ref).replace(/\.(m?js|ts|cjs)$/, ''), ref, givenName !== undefined),
      script,
    };
  }
  for (const ext of ['.ts', '.js']) {
    const script = path.join(scenariosDir, ref + ext);
    if (existsSync(script)) return { name: checkScenarioName(givenName ?? ref, ref, givenName !== undefined), script };
  }
  const known = await listBundledScenarios(scenariosDir);
  throw new ConfigError(
    `unknown scenario ${JSON.stringify(ref)}; expected a k6 script path or one of the bundled scenarios: ${known.join(', ') || '(none found)'}`,
  );
}

/**
 * A scenario name is the first part of its baseline key (`scenario@profile@environment`) and of its
 * file names: "@" would make it another scenario's key (`x@stress@production` writes into the
 * production history of `x`), and white space has no place in a key.
 */
function checkScenarioName(name: string, ref: string, given: boolean): string {
  const problem = scenarioNameProblem(name);
  if (problem === undefined) return name;
  throw new ConfigError(
    `${problem}${given ? '' : ' (it comes from the file name)'}; expected a name without "@" or white space, given as name=path, e.g. checkout=${ref}`,
  );
}

/** What is wrong with a scenario name, or undefined: `scenario name "x@y" holds "@", …`. */
export function scenarioNameProblem(name: string): string | undefined {
  if (name.includes('@'))
    return `scenario name ${JSON.stringify(name)} holds "@", which separates scenario, profile and environment in baseline keys`;
  if (/\s/.test(name)) return `scenario name ${JSON.stringify(name)} holds a space (or other white space), which baseline keys cannot`;
  return undefined;
}

/**
 * The `scenarios` input: entries separated by commas or new lines. An entry written as a JSON string
 * (`"load,tests/a.js"`, `"ab=dir/x\ny.js"`) may hold commas and (escaped) new lines.
 */
export function splitScenarioList(text: string | undefined): string[] {
  const input = text ?? '';
  const out: string[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /[\s,]/.test(input[i])) i++;
    if (i >= input.length) break;
    if (input[i] === '"') {
      const end = closingQuote(input, i);
      if (end === -1)
        throw new ConfigError(
          `scenarios: unterminated " quote in ${JSON.stringify(input.slice(i, i + 60))}; expected a JSON string such as "dir/a,b.js"`,
        );
      try {
        out.push(JSON.parse(input.slice(i, end + 1)) as string);
      } catch (error) {
        throw new ConfigError(
          `scenarios: ${input.slice(i, end + 1)} is not a JSON string (${(error as Error).message}); expected e.g. "dir/a,b.js"`,
        );
      }
      i = end + 1;
      const rest = /^[^\S\n]*(,|\n|$)/.exec(input.slice(i));
      if (!rest) throw new ConfigError(`scenarios: expected a comma or a new line after ${input.slice(0, i).split(/[\n,]/).at(-1)}`);
      continue;
    }
    let end = i;
    while (end < input.length && input[end] !== ',' && input[end] !== '\n') end++;
    const entry = input.slice(i, end).trim();
    if (entry) out.push(entry);
    i = end;
  }
  return out;
}

/** The index of the quote that closes the JSON string starting at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** The baseline key of a scenario run: see baselineKey (the environment keeps histories apart). */
export function scenarioKey(scenario: string, profile?: string, environment?: string): string {
  return baselineKey({ scenario, profile, environment });
}
