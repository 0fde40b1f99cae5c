// k6's process exit codes and what each means for the gate (docs/architecture.md, "Outcomes").
import type { Outcome } from '../model.js';

const MEANINGS: Record<number, string> = {
  0: 'the test finished',
  97: 'the cloud test was aborted by a threshold (k6 cloud)',
  98: 'the cloud test failed (k6 cloud)',
  99: "the script's thresholds were crossed",
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'the test timed out',
  103: 'the test was stopped through the REST API',
  104: 'the k6 configuration is invalid',
  105: 'the test was aborted from outside (signal)',
  106: 'the k6 REST API failed',
  107: 'the script threw an exception',
  108: 'the script called test.abort()',
  109: 'k6 crashed (Go panic)',
  110: 'the script called test.fail()',
  255: 'k6 failed for an unspecified reason',
};

export interface ExitClassification {
  outcome: Outcome;
  meaning: string;
}

/** Maps k6's exit code (or the signal that killed it) to an outcome and a sentence. */
export function classifyExit(code: number | null, signal?: NodeJS.Signals | null): ExitClassification {
  if (code === null) {
    return { outcome: 'error', meaning: `k6 was killed by ${signal ?? 'a signal'} before it could exit` };
  }
  const meaning = MEANINGS[code] ?? `k6 exited with unknown code ${code}`;
  if (code === 0) return { outcome: 'passed', meaning };
  if (code === 99) return { outcome: 'thresholds-failed', meaning };
  return { outcome: 'error', meaning };
}

const ORDER: Outcome[] = ['passed', 'inconclusive', 'regressed', 'thresholds-failed', 'error'];

/** The worse of two outcomes: error > thresholds-failed > regressed > inconclusive > passed. */
export function worstOutcome(...outcomes: Outcome[]): Outcome {
  return outcomes.reduce<Outcome>((worst, next) => (ORDER.indexOf(next) > ORDER.indexOf(worst) ? next : worst), 'passed');
}
