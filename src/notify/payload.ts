// What every notification shares: when one is sent (notify-on) and what a sink is. Each kind's body
// is its sink's (src/notify/sinks/). Pure: data in, data out.
import type { GateResult, Outcome } from '../model.js';

export type NotifyOn = 'regression' | 'error' | 'always';

export const NOTIFY_ON: readonly NotifyOn[] = ['regression', 'error', 'always'];

/**
 * `regression`: the gate did not pass (a regression, a crossed threshold, an inconclusive verdict —
 * the gate could not protect this change — or an error); `error`: only errors.
 */
export function shouldNotify(on: NotifyOn, outcome: Outcome): boolean {
  if (on === 'always') return true;
  if (on === 'error') return outcome === 'error';
  return outcome !== 'passed';
}

/** What a notification kind does with a finished gate: the body posted to the URL. */
export interface NotifySink {
  /** The word before `=` in the notify input, e.g. `slack`. */
  kind: string;
  /** What the URL in the variable must be, for messages: "a Slack incoming-webhook URL". */
  url: string;
  /** The JSON body posted for this result. */
  body: (result: GateResult, commit?: string) => unknown;
}
