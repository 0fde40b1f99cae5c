// Reading a file a user wrote to configure k6-gate (the rules file, the environments file): JSON,
// or YAML for .yaml/.yml, a UTF-8 byte order mark skipped, and every way it can fail said in one
// shape — "<label> <file> does not exist | cannot be read (EACCES) | is not valid JSON (…);
// expected <what>". A JSON syntax error names the line and column but never quotes the file:
// Node's own message shows its first characters, and the file may not be what it claims (a link
// to a file of secrets). The baseline file uses the same JSON description (baseline/format.ts).
import { readFile } from 'node:fs/promises';

/** A sentence for a JSON.parse error that never quotes the text it failed on. */
export function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = (error as Error).message;
  if (/end of JSON input/i.test(message)) return 'it ends in the middle of a value';
  const position = /at position (\d+)/.exec(message);
  const what = /^Unexpected token/.test(message)
    ? 'an unexpected character'
    : message.replace(/ in JSON at position.*$/s, '').replace(/"[^"]*"/g, '…');
  if (!position) return what;
  const before = text.slice(0, Number(position[1]));
  return `${what} at line ${before.split('\n').length}, column ${Number(position[1]) - before.lastIndexOf('\n')}`;
}

/** The text without a leading UTF-8 byte order mark, which some Windows editors write. */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface ConfigFileOptions {
  /** What the file is, first in every message: `rules file`, `environments file`. */
  label: string;
  /** What was expected instead, last in every message. */
  expected: string;
  /** The error to throw (each caller has its own ExpectedError class). */
  error: (message: string) => Error;
}

/** Reads and parses a JSON or YAML configuration file; any failure is `options.error(message)`. */
export async function readConfigFile(file: string, options: ConfigFileOptions): Promise<unknown> {
  const { label, expected } = options;
  let text: string;
  try {
    text = withoutByteOrderMark(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw options.error(
      code === 'ENOENT'
        ? `${label} ${file} does not exist; expected ${expected}`
        : `${label} ${file} cannot be read (${code ?? (error as Error).message}); expected ${expected}`,
    );
  }
  const yaml = /\.ya?ml$/i.test(file);
  try {
    // yaml is loaded only for a YAML file: it is a large module to evaluate at every start.
    return yaml ? (await import('yaml')).parse(text) : JSON.parse(text);
  } catch (error) {
    const detail = yaml ? (error as Error).message.split('\n')[0].replace(/:$/, '') : jsonSyntaxProblem(error, text);
    throw options.error(`${label} ${file} is not valid ${yaml ? 'YAML' : 'JSON'} (${detail}); expected ${expected}`);
  }
}
