// What a k6 script threw, read back from k6's log: a report that says "the script threw an
// exception" should show which one, not send the reader to the log. k6 writes its log as logfmt on
// stderr when it is not a terminal: `level=error msg="TypeError: …\n\tat login (file:///…)\n"
// hint="script exception"`, or `msg="test aborted: …"` (`test.abort()`), `msg="test marked as
// failed: …"` (`test.fail()`).
import { readFile } from 'node:fs/promises';

/** k6 exit codes whose cause is in the script: an exception (107), `test.abort()` (108), `test.fail()` (110). */
const SCRIPT_EXIT_CODES = new Set([107, 108, 110]);

/** The most of an exception kept: its message and the top of its stack. */
const MAX_EXCEPTION_LENGTH = 4_000;

const MESSAGE = /\bmsg="((?:[^"\\]|\\.)*)"/;

/** A Go-quoted string's content (k6's logfmt quotes with Go's %q: \n, \t, \", \\, \xNN, \uNNNN). */
function unquote(inner: string): string {
  return inner.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
  });
}

/** The first exception, abort or failure reason in k6's log text; undefined when there is none. */
export function scriptException(log: string): string | undefined {
  let fallback: string | undefined;
  for (const line of log.split('\n')) {
    if (!/\blevel=error\b/.test(line)) continue;
    const quoted = MESSAGE.exec(line)?.[1];
    if (quoted === undefined) continue;
    const message = unquote(quoted).trimEnd();
    if (/\bhint="script exception"/.test(line)) return message.slice(0, MAX_EXCEPTION_LENGTH);
    if (!fallback && /^test (aborted|marked as failed):/.test(message)) fallback = message.slice(0, MAX_EXCEPTION_LENGTH);
  }
  return fallback;
}

/** The script's exception from the run's log file, when k6's exit code says the script stopped it. */
export async function readScriptException(logFile: string, exitCode: number | null | undefined): Promise<string | undefined> {
  if (exitCode === null || exitCode === undefined || !SCRIPT_EXIT_CODES.has(exitCode)) return undefined;
  const log = await readFile(logFile, 'utf8').catch(() => '');
  return scriptException(log);
}
