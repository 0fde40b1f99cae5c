// What a notification says: a Slack incoming-webhook message (blocks) and a generic JSON webhook
// body (a documented subset of comparison.json, docs/notifications.md). Pure: data in, data out.
import type { GateResult, Outcome } from '../model.js';
import { formatChange, formatValue } from '../format.js';
import { headline } from '../report/headline.js';
import { isRegression } from '../baseline/compare.js';

export type NotifyOn = 'regression' | 'error' | 'always';

export const NOTIFY_ON: readonly NotifyOn[] = ['regression', 'error', 'always'];

/** `regression`: the gate found a regression, a crossed threshold or an error; `error`: only errors. */
export function shouldNotify(on: NotifyOn, outcome: Outcome): boolean {
  if (on === 'always') return true;
  if (on === 'error') return outcome === 'error';
  return outcome !== 'passed';
}

export interface WebhookPayload {
  tool: GateResult['tool'];
  generatedAt: string;
  outcome: Outcome;
  failed: boolean;
  target?: string;
  environment?: string;
  regressions: number;
  thresholdsFailed: number;
  commit?: string;
  links: { label: string; url: string }[];
  scenarios: {
    scenario: string;
    key: string;
    outcome: Outcome;
    error?: string;
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
    commit,
    links: result.links ?? [],
    scenarios: result.scenarios.map((s) => ({
      scenario: s.scenario,
      key: s.key,
      outcome: s.outcome,
      error: s.error,
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

/** Slack mrkdwn needs &, < and > escaped. */
function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook message: a header, the counts, one section per scenario, the links. */
export function slackMessage(result: GateResult, commit?: string): { text: string; blocks: unknown[] } {
  const title = headline(result);
  const facts = [
    `${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)`,
    result.failed ? '*the gate fails this job*' : 'the gate passes',
    result.target ? `target \`${slackText(result.target)}\`` : '',
    result.environment ? `environment *${slackText(result.environment)}*` : '',
    commit ? `commit \`${commit.slice(0, 12)}\`` : '',
  ].filter(Boolean);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: facts.join(' · ') } },
  ];
  for (const s of result.scenarios.slice(0, 10)) {
    const lines = [`*${slackText(s.scenario)}* — ${s.outcome}`];
    if (s.error) lines.push(`> ${slackText(s.error.slice(0, 300))}`);
    for (const m of s.metrics.filter(isRegression).slice(0, 5)) {
      lines.push(
        `• \`${slackText(m.metric)}\` ${slackText(m.stat)}: ${formatValue(m.baseline, m.unit)} → ${formatValue(m.current, m.unit)} (${formatChange(m.change)})`,
      );
    }
    for (const t of s.thresholds.filter((row) => !row.ok).slice(0, 5))
      lines.push(`• threshold \`${slackText(t.metric)}: ${slackText(t.expression)}\` crossed`);
    const lead = s.analysis?.endpoints[0];
    if (lead)
      lines.push(
        `slowest endpoint: \`${slackText(lead.endpoint)}\` p(95) ${formatValue(lead.p95, 'ms')}${lead.p95Change !== undefined ? ` (${formatChange(lead.p95Change)})` : ''}`,
      );
    for (const w of s.analysis?.loadGenerator?.warnings ?? []) lines.push(`⚠️ ${slackText(w)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } });
  }
  const links = result.links ?? [];
  if (links.length > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: links.map((l) => `<${l.url}|${slackText(l.label)}>`).join(' · ') }],
    });
  }
  return { text: `${title} — ${facts[0]}`, blocks };
}
