// The generic JSON webhook: a documented, stable subset of comparison.json (docs/notifications.md).
import { isRegression } from '../../baseline/compare.js';
import type { GateResult, Outcome } from '../../model.js';
import type { NotifySink } from '../payload.js';

export interface WebhookPayload {
  tool: GateResult['tool'];
  generatedAt: string;
  outcome: Outcome;
  failed: boolean;
  target?: string;
  environment?: string;
  regressions: number;
  thresholdsFailed: number;
  /** Scenarios whose numbers could not decide. */
  inconclusive: number;
  commit?: string;
  links: { label: string; url: string }[];
  scenarios: {
    scenario: string;
    key: string;
    outcome: Outcome;
    error?: string;
    /** Why the scenario's numbers could not decide, when they could not. */
    inconclusive?: string;
    regressed: { metric: string; stat: string; baseline?: number; current?: number; change?: number; unit: string }[];
    thresholdsCrossed: { metric: string; expression: string }[];
    /** The first endpoints of the per-endpoint table (by p95 change, then p95). */
    endpoints: { endpoint: string; requests: number; failureRate: number; p95: number; p95Change?: number }[];
    loadGeneratorWarnings: string[];
  }[];
}

/** The generic webhook body: a stable subset of comparison.json. */
export function webhookPayload(result: GateResult, commit?: string): WebhookPayload {
  return {
    tool: result.tool,
    generatedAt: result.generatedAt,
    outcome: result.outcome,
    failed: result.failed,
    target: result.target,
    environment: result.environment,
    regressions: result.regressions,
    thresholdsFailed: result.thresholdsFailed,
    inconclusive: result.inconclusive ?? 0,
    commit,
    links: result.links ?? [],
    scenarios: result.scenarios.map((s) => ({
      scenario: s.scenario,
      key: s.key,
      outcome: s.outcome,
      error: s.error,
      inconclusive: s.inconclusive,
      regressed: s.metrics
        .filter(isRegression)
        .map((m) => ({ metric: m.metric, stat: m.stat, baseline: m.baseline, current: m.current, change: m.change, unit: m.unit })),
      thresholdsCrossed: s.thresholds.filter((t) => !t.ok).map((t) => ({ metric: t.metric, expression: t.expression })),
      endpoints: (s.analysis?.endpoints ?? [])
        .slice(0, 3)
        .map((e) => ({ endpoint: e.endpoint, requests: e.requests, failureRate: e.failureRate, p95: e.p95, p95Change: e.p95Change })),
      loadGeneratorWarnings: s.analysis?.loadGenerator?.warnings ?? [],
    })),
  };
}

export const webhookSink: NotifySink = { kind: 'webhook', url: 'an http(s) URL that accepts a JSON POST', body: webhookPayload };
