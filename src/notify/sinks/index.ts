// The notification kinds k6-gate knows: one line per sink. A new kind is a module in this folder
// (its body) plus its line here, and its test in test/notify/sinks/ (docs/architecture.md).
import type { NotifySink } from '../payload.js';
import { slackSink } from './slack.js';
import { webhookSink } from './webhook.js';

export const NOTIFY_SINKS: readonly NotifySink[] = [slackSink, webhookSink];

/** The sink of a kind, or undefined for a kind no sink has. */
export function findSink(kind: string): NotifySink | undefined {
  return NOTIFY_SINKS.find((sink) => sink.kind === kind);
}

/** The kinds, for messages: "slack or webhook". */
export function sinkKinds(): string {
  const kinds = NOTIFY_SINKS.map((sink) => sink.kind);
  return kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}` : kinds.join('');
}
