// The one guard for "a JSON object" (not null, not an array), used by every parser of user files
// and k6 output. The bottom layer: imports nothing.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
