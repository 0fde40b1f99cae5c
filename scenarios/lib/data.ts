// Test data: unique names, random values and `{{...}}` templates in config values, so a config
// file can ask for fresh data without code.
import exec from 'k6/execution';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomInt(min: number, max: number): number {
  return Math.floor(min + Math.random() * (max - min + 1));
}

export function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return out;
}

export function uuid(): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(Math.random() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

/** Unique across VUs and iterations of this test run (and, by the time part, across runs). */
export function uniqueName(prefix: string): string {
  const vu = exec.vu.idInTest;
  const iteration = exec.vu.iterationInScenario;
  return `${prefix}-${Date.now().toString(36)}-${vu}-${iteration}-${randomString(4)}`;
}

/** Picks one entry with probability proportional to its weight. */
export function pickWeighted<T extends { weight?: number }>(entries: readonly T[]): T {
  const total = entries.reduce((sum, e) => sum + (e.weight ?? 1), 0);
  let roll = Math.random() * total;
  for (const entry of entries) {
    roll -= entry.weight ?? 1;
    if (roll < 0) return entry;
  }
  return entries[entries.length - 1];
}

/** A `{{var name}}` whose value an earlier step did not produce (that step failed). */
export class MissingVariableError extends Error {}

const TEMPLATE = /\{\{\s*([a-zA-Z]+)((?:\s+[^\s}]+)*)\s*\}\}/g;

function templateValue(fn: string, args: string[], vars: Record<string, unknown>, source: string): unknown {
  switch (fn) {
    case 'randInt': {
      const [min, max] = args.map(Number);
      if (!Number.isFinite(min) || !Number.isFinite(max))
        throw new Error(`${source}: {{randInt}} needs two numbers, e.g. {{randInt 1 20}}`);
      return randomInt(min, max);
    }
    case 'randString':
      return randomString(Number(args[0] ?? 8) || 8);
    case 'uuid':
      return uuid();
    case 'unique':
      return uniqueName(args[0] ?? 'k6');
    case 'vu':
      return exec.vu.idInTest;
    case 'iter':
      return exec.vu.iterationInScenario;
    case 'timestamp':
      return Date.now();
    case 'var': {
      const value = vars[args[0] ?? ''];
      if (value === undefined)
        throw new MissingVariableError(
          `${source}: {{var ${args[0] ?? ''}}} is not set here; known: ${Object.keys(vars).join(', ') || 'none'}`,
        );
      return value;
    }
    default:
      throw new Error(`${source}: unknown template {{${fn}}}; expected randInt, randString, uuid, unique, vu, iter, timestamp or var`);
  }
}

/**
 * Fills `{{randInt 1 20}}`, `{{randString 8}}`, `{{uuid}}`, `{{unique prefix}}`, `{{vu}}`, `{{iter}}`,
 * `{{timestamp}}` and `{{var name}}` in strings, deeply in objects and arrays. A string that is one
 * template alone keeps the value's type, so `"{{randInt 1 5}}"` becomes a number in a JSON body.
 */
export function fillTemplates<T>(value: T, vars: Record<string, unknown> = {}, source = 'config'): T {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([a-zA-Z]+)((?:\s+[^\s}]+)*)\s*\}\}$/.exec(value);
    if (whole) return templateValue(whole[1], whole[2].trim().split(/\s+/).filter(Boolean), vars, source) as T;
    return value.replace(TEMPLATE, (_m, fn: string, args: string) =>
      String(templateValue(fn, args.trim().split(/\s+/).filter(Boolean), vars, source)),
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplates(v, vars, source)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillTemplates(v, vars, source);
    return out as T;
  }
  return value;
}

/** Reads `a.b.0.c` out of parsed JSON; undefined when any step is missing. */
export function readPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const key of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
