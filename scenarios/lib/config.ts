// Reading knobs: k6 `-e NAME=value` / environment variables, and an optional JSON config file
// (CONFIG_FILE, read with k6's open() in the init context) or inline JSON (CONFIG).
// Everything a team changes lives here, so nobody edits scenario code to point it elsewhere.

/** The value of a variable, with an empty string meaning "not set". */
export function envVar(name: string): string | undefined {
  const value = __ENV[name];
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

export function numberVar(name: string, options: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const text = envVar(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  const { min, max, integer } = options;
  const ok =
    Number.isFinite(value) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and ');
    throw new Error(
      `${name}=${JSON.stringify(text)} is not valid; expected ${integer ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}`,
    );
  }
  return value;
}

export function booleanVar(name: string, fallback: boolean): boolean {
  const text = envVar(name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', 'yes', '1', 'on'].includes(text)) return true;
  if (['false', 'no', '0', 'off'].includes(text)) return false;
  throw new Error(`${name}=${JSON.stringify(text)} is not a boolean; expected true or false`);
}

/** `1500ms`, `30s`, `5m`, `1h30m` or a bare number of seconds → milliseconds. */
export function parseDurationMs(name: string, text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  const factors: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * factors[m[2]];
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) {
    throw new Error(`${name}=${JSON.stringify(text)} is not a duration; expected e.g. "30s", "5m", "1h30m" or a number of seconds`);
  }
  return total;
}

export function durationVar(name: string): number | undefined {
  const text = envVar(name);
  return text === undefined ? undefined : parseDurationMs(name, text);
}

export function baseUrl(): string {
  const url = (envVar('BASE_URL') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new Error(`BASE_URL=${JSON.stringify(url)} is not an http(s) URL; expected e.g. "https://staging.example.com"`);
  }
  return url;
}

/** Seconds between steps of a user; THINK_TIME wins over the config file. */
export function thinkTimeSeconds(fromConfig: number | undefined, fallback = 1): number {
  return numberVar('THINK_TIME', { min: 0 }) ?? fromConfig ?? fallback;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${source} is not valid JSON (${(error as Error).message}); it starts with ${JSON.stringify(text.slice(0, 60))}. k6 reads JSON only: convert YAML with e.g. \`yq -o=json\``,
    );
  }
}

// open() only works in the init context, so the file is read once when the module loads.
const rawFileText: string | undefined = (() => {
  const file = envVar('CONFIG_FILE');
  if (file === undefined) return undefined;
  // k6 resolves open()'s relative paths against the module being evaluated, which is this lib/
  // folder here; step up so that a relative CONFIG_FILE means "from the scenarios folder".
  const isAbsolute = file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('file://');
  try {
    return open(isAbsolute ? file : `../${file}`);
  } catch (error) {
    throw new Error(
      `CONFIG_FILE=${JSON.stringify(file)} could not be read (${(error as Error).message}); a relative path is resolved from the scenarios folder (where the scripts are), so an absolute path is safest`,
    );
  }
})();

/**
 * The workload's configuration: defaults, then the file (its `<workload>` section when it has one,
 * else the whole file), then inline CONFIG JSON. Objects merge key by key; arrays replace.
 */
export function loadWorkloadConfig<T extends object>(workload: string, defaults: T): T & { thresholds?: Record<string, unknown> } {
  const layers: Array<{ source: string; value: unknown }> = [];
  if (rawFileText !== undefined)
    layers.push({ source: `CONFIG_FILE ${envVar('CONFIG_FILE')}`, value: parseJson(`CONFIG_FILE ${envVar('CONFIG_FILE')}`, rawFileText) });
  const inline = envVar('CONFIG');
  if (inline !== undefined) layers.push({ source: 'CONFIG', value: parseJson('CONFIG', inline) });
  let merged: unknown = defaults;
  for (const layer of layers) {
    if (!isPlainObject(layer.value)) {
      throw new Error(`${layer.source} must hold a JSON object, got ${Array.isArray(layer.value) ? 'an array' : typeof layer.value}`);
    }
    const value = layer.value;
    // A shared file holds one section per workload; top-level thresholds still apply to each.
    const section = isPlainObject(value[workload]) ? { thresholds: value.thresholds, ...value[workload] } : value;
    merged = mergeDeep(merged, section);
  }
  return merged as T & { thresholds?: Record<string, unknown> };
}

export function mergeDeep(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeDeep(base[key], value);
  return out;
}

/** Throws a config error naming the field, the bad value and what was expected. */
export function configError(field: string, value: unknown, expected: string): Error {
  const shown = JSON.stringify(value);
  return new Error(`config ${field} = ${shown === undefined ? 'undefined' : shown.slice(0, 80)} is not valid; expected ${expected}`);
}
