// The one guard for "a JSON object" (not null, not an array), used by every parser of user files
// and k6 output. The bottom layer: imports nothing.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The one string order of what k6-gate writes (keys of its files, ties in its tables): by UTF-16
 * code units, the same on every machine. `localeCompare` would depend on ICU data, and its first
 * call costs a short run about 10 ms of start-up.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
