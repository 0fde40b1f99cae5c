// Slack: an incoming-webhook message with blocks (a header, the counts, a section per scenario, links).
import { formatChange, formatValue } from '../../format.js';
import { headline } from '../../report/headline.js';
import { isRegression } from '../../baseline/compare.js';
import type { GateResult } from '../../model.js';
import { duetChangeCell, duetNumbers } from '../../report/markdown-rows.js';
import type { NotifySink } from '../payload.js';

/** Slack mrkdwn needs &, < and > escaped. */
function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook message: a header, the counts, one section per scenario, the links. */
export function slackMessage(result: GateResult, commit?: string): { text: string; blocks: unknown[] } {
  const title = headline(result);
  const facts = [
    `${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)` +
      (result.inconclusive ? `, ${result.inconclusive} inconclusive scenario(s)` : ''),
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
    else if (s.inconclusive) lines.push(`> inconclusive: ${slackText(s.inconclusive.slice(0, 300))}`);
    for (const m of s.metrics.filter(isRegression).slice(0, 5)) {
      const duet = duetNumbers(s, m);
      // A duet measured A and B at the same time: their names, and the change as the decision weighed it.
      const values = duet
        ? `A ${formatValue(m.baseline, m.unit)} → B ${formatValue(m.current, m.unit)}: ${duetChangeCell(duet)}`
        : `${formatValue(m.baseline, m.unit)} → ${formatValue(m.current, m.unit)} (${formatChange(m.change)})`;
      lines.push(`• \`${slackText(m.metric)}\` ${slackText(m.stat)}: ${values}`);
    }
    if (s.duet && s.verdictNote) lines.push(slackText(s.verdictNote));
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

export const slackSink: NotifySink = { kind: 'slack', url: 'a Slack incoming-webhook URL', body: slackMessage };
