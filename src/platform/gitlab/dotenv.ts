// `artifacts:reports:dotenv`: the gate's verdict as variables for later jobs (and for
// `environment:url`-style uses). GitLab's dotenv parser takes KEY=VALUE lines, one value per line,
// no multi-line values, and caps the file (5 KB) and the variable count (20 by default), so only
// short, single-line values go in.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isRegression } from '../../baseline/compare.js';
import type { GateResult } from '../../model.js';

export const DOTENV_FILE = 'k6-gate.env';

/** Longest value written; GitLab refuses a dotenv file over 5 KB as a whole. */
const MAX_VALUE = 1000;

function oneLine(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
}

/** The variables later jobs can read, e.g. `$K6_GATE_RESULT == "regressed"` (the templates prefix them per job). */
export function gitlabDotenvVariables(result: GateResult, extra: { noteUrl?: string } = {}): Record<string, string> {
  const regressed = result.scenarios.flatMap((s) => s.metrics.filter(isRegression).map((m) => `${s.key}:${m.metric}:${m.stat}`));
  const vars: Record<string, string> = {
    K6_GATE_RESULT: result.outcome,
    K6_GATE_FAILED: String(result.failed),
    K6_GATE_REGRESSIONS: String(result.regressions),
    K6_GATE_THRESHOLDS_FAILED: String(result.thresholdsFailed),
    K6_GATE_INCONCLUSIVE: String(result.inconclusive ?? 0),
    K6_GATE_REGRESSED_METRICS: regressed.join(','),
  };
  if (extra.noteUrl) vars.K6_GATE_NOTE_URL = extra.noteUrl;
  return vars;
}

const DEFAULT_PREFIX = 'K6_GATE_';

/**
 * The key prefix of a job's dotenv variables: the dotenv-prefix input (the templates set one per job, so
 * two jobs of one pipeline never export the same key), made a valid variable name: `k6-gate_staging_`
 * becomes `K6_GATE_STAGING_`. Unset or empty keeps `K6_GATE_`.
 */
export function dotenvKeyPrefix(raw: string | undefined): string {
  const cleaned = (raw ?? '')
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, '_');
  if (cleaned === '') return DEFAULT_PREFIX;
  const named = /^[A-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
  return named.endsWith('_') ? named : `${named}_`;
}

/** The variables with `K6_GATE_` replaced by `prefix`. */
export function withDotenvPrefix(vars: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([key, value]) => [key.startsWith(DEFAULT_PREFIX) ? prefix + key.slice(DEFAULT_PREFIX.length) : key, value]),
  );
}

export function renderDotenv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${oneLine(value)}\n`)
    .join('');
}

export async function writeDotenv(
  result: GateResult,
  resultsDir: string,
  extra: { noteUrl?: string; keyPrefix?: string } = {},
): Promise<string> {
  const file = path.join(resultsDir, DOTENV_FILE);
  await writeFile(file, renderDotenv(withDotenvPrefix(gitlabDotenvVariables(result, extra), dotenvKeyPrefix(extra.keyPrefix))));
  return file;
}
