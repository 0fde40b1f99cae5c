// The one base class of expected failures: bad input, a missing file, a refused download, a busy
// port. Entries print such an error's message (its stack only with --verbose) and exit 2; anything
// else that escapes is a bug in k6-gate and is printed with its stack and a request to report it.
export class ExpectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: an input, a flag or a file the user gave is not what k6-gate expects. */
export class ConfigError extends ExpectedError {}

/** True for the failures a user can fix from the message alone. */
export function isExpectedError(error: unknown): error is ExpectedError {
  return error instanceof ExpectedError;
}

/** What an entry prints for an error that ended a command. */
export function describeFailure(error: unknown, verbose: boolean): string {
  if (isExpectedError(error)) return verbose && error.stack ? `${error.message}\n${error.stack}` : error.message;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `unexpected error (this is a bug in k6-gate; please report it with the lines below):\n${detail}`;
}
