// The Logger over @actions/core. The runner masks registered secrets in its own log, but a local run
// (INPUT_* + node dist/index.js, @github/local-action) has no runner to do it, so lines are redacted
// here as well.
import * as core from '@actions/core';
import { redact, type Logger } from '../../log.js';

export interface GitHubLogger extends Logger {
  /** The text with every registered secret replaced, for messages that bypass the logger (setFailed). */
  clean(text: string): string;
  /** Every error message printed so far (cleaned), so the final failure does not repeat one. */
  readonly errorsShown: Set<string>;
}

export function createGitHubLogger(): GitHubLogger {
  const secrets: string[] = [];
  const clean = (message: string) => redact(message, secrets);
  const errorsShown = new Set<string>();
  return {
    clean,
    errorsShown,
    info: (message) => core.info(clean(message)),
    warning: (message) => core.warning(clean(message)),
    error: (message) => {
      errorsShown.add(clean(message));
      core.error(clean(message));
    },
    debug: (message) => core.debug(clean(message)),
    group: (title, fn) => core.group(clean(title), fn),
    addSecret(value) {
      if (!value) return;
      core.setSecret(value);
      if (!secrets.includes(value)) secrets.push(value);
    },
  };
}
