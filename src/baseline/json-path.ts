// How a place in the baseline file and the value found there are named in an error message:
// `$.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].accepted is "12ms"`. Shared by the
// schema check (baseline/schema.ts) and the checks the schema cannot state (baseline/format.ts).
//
// A value is quoted only as a short excerpt: the file may not be what it claims (a link to a file
// of secrets), so a long string shows its first characters and its length, never its whole text.

/** Strings up to this length are quoted whole: a unit, a type, a short typo. */
const WHOLE_STRING = 12;

/** A value as an error message shows it: `12`, `"ms"`, `"2025…" (24 characters)`, `an object`, `missing`. */
export function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const characters = [...value];
    if (characters.length <= WHOLE_STRING) return JSON.stringify(value);
    return `${JSON.stringify(characters.slice(0, 4).join(''))}… (${characters.length} characters)`;
  }
  return String(value);
}

/** `$.scenarios` + `smoke` → `$.scenarios["smoke"]`: brackets always, since keys hold `@`, `{`, `(`. */
export function child(where: string, name: string): string {
  return `${where}[${JSON.stringify(name)}]`;
}
