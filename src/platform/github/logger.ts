// The Logger over @actions/core. The runner masks registered secrets in its own log, but a local run
// (INPUT_* + node dist/index.js, @github/local-action) has no runner to do it, so lines are redacted
// here as well. Errors become annotations through the step's one ErrorAnnotations budget.
import * as core from '@actions/core';
import { redact, type Logger } from '../../log.js';
import { ErrorAnnotations, fitAnnotation } from './annotations.js';

export interface GitHubLogger extends Logger {
  /** The text with every registered secret replaced, for messages that bypass the logger (the failure). */
  clean(text: string): string;
  /** Every error message printed so far (cleaned), so the final failure does not repeat one. */
  readonly errorsShown: Set<string>;
  /** The step's error annotations: the logger's errors, the report's, and the final failure. */
  readonly annotations: ErrorAnnotations;
}

export function createGitHubLogger(annotations = new ErrorAnnotations()): GitHubLogger {
  const secrets: string[] = [];
  const clean = (message: string) => redact(message, secrets);
  const errorsShown = new Set<string>();
  return {
    clean,
    errorsShown,
    annotations,
    info: (message) => core.info(clean(message)),
    warning: (message) => {
      const full = clean(message);
      const { message: fitted } = fitAnnotation({ title: '', message: full });
      if (fitted !== full) core.info(full);
      core.warning(fitted);
    },
    error: (message) => {
      errorsShown.add(clean(message));
      annotations.error({ title: '', message: clean(message) });
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
