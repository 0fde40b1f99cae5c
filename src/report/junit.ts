// The gate's result as JUnit XML, which GitLab shows in merge requests (and most CI systems read).
// Pure: takes a GateResult, returns text.
//
// One <testsuite> per scenario run; inside it one <testcase> per watched metric and one per k6
// threshold. A regression or a crossed threshold is a <failure>; a run that could not happen is an
// <error>, so "the test is broken" never reads like "the code got slower". An inconclusive verdict is
// a <skipped> case named "verdict" (and a duet stat left undecided a <skipped> metric): JUnit has no
// "undecided", and skipped is the one state every reader shows as neither passed nor failed, which is
// what it is; a <failure> would say the code got slower, an <error> that the test is broken. Whether
// it fails the job is `fail-on`'s call, not the report's.
import { formatChange, formatPercent } from '../format.js';
import type { GateResult, MetricComparison, ScenarioResult, ThresholdResult } from '../model.js';
import { formatMde } from './detectable.js';
import { duetChangeCell, duetFloorCell, duetNumbers } from './markdown-rows.js';

export const JUNIT_FILE = 'junit.xml';

interface Case {
  name: string;
  classname: string;
  timeSeconds?: number;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string; text: string };
  skipped?: string;
  systemOut?: string;
}

/** Removes what XML 1.0 forbids (most control characters, lone surrogates), then escapes markup. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function metricCase(scenario: ScenarioResult, row: MetricComparison): Case {
  const base: Case = {
    name: `${row.metric} ${row.stat}`,
    classname: `k6-gate.${scenario.key}.metrics`,
    systemOut: row.note,
  };
  if (row.verdict === 'regressed') {
    return { ...base, failure: { type: 'regression', message: `regressed: ${row.note}`, text: describeRow(scenario, row) } };
  }
  if (row.verdict === 'inconclusive') return { ...base, skipped: `inconclusive: ${row.note}` };
  if (row.verdict === 'missing') {
    if (row.severity === 'error') {
      return { ...base, failure: { type: 'missing-metric', message: `missing: ${row.note}`, text: describeRow(scenario, row) } };
    }
    return { ...base, skipped: `missing (warning): ${row.note}` };
  }
  return base;
}

function describeRow(scenario: ScenarioResult, row: MetricComparison): string {
  const duet = duetNumbers(scenario, row);
  if (duet) {
    // A duet compares two targets measured at the same time: no baseline, no accepted band.
    return [
      `metric: ${row.metric}`,
      `stat: ${row.stat}`,
      `A (baseline-target): ${row.baseline ?? 'none'} ${row.unit}`,
      `B (target): ${row.current ?? 'none'} ${row.unit}`,
      `change B/A (interval): ${duetChangeCell(duet)}`,
      `floor: ${duetFloorCell(duet)}`,
      `method: duet, paired windows: ${duet.windows}${row.mde !== undefined ? `, can see ≥ ${formatMde(row.mde, row.unit)}` : ''}`,
    ].join('\n');
  }
  const lines = [
    `metric: ${row.metric}`,
    `stat: ${row.stat}`,
    `baseline: ${row.baseline ?? 'none'} ${row.unit}`,
    `current: ${row.current ?? 'none'} ${row.unit}`,
  ];
  if (row.change !== undefined) lines.push(`change: ${formatChange(row.change)}`);
  if (row.band) lines.push(`accepted band: ${row.band.low} .. ${row.band.high} ${row.unit}`);
  lines.push(`method: ${row.method}, samples: ${row.samples}, tolerance: ${formatPercent(row.tolerance)}`);
  return lines.join('\n');
}

function thresholdCase(scenario: ScenarioResult, threshold: ThresholdResult): Case {
  const base: Case = {
    name: `threshold ${threshold.metric}: ${threshold.expression}`,
    classname: `k6-gate.${scenario.key}.thresholds`,
  };
  if (threshold.ok) return base;
  const actual = scenario.summary?.metrics[threshold.metric]?.values;
  const text = actual
    ? `${threshold.metric} measured ${Object.entries(actual)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`
    : `${threshold.metric} crossed its threshold`;
  return { ...base, failure: { type: 'threshold', message: `k6 threshold crossed: ${threshold.metric} ${threshold.expression}`, text } };
}

function scenarioCases(scenario: ScenarioResult): Case[] {
  const cases: Case[] = [];
  if (scenario.outcome === 'error') {
    const message = scenario.error ?? scenario.exitMeaning ?? 'the k6 run failed';
    const text = [
      scenario.exitCode !== undefined
        ? `k6 exit code: ${scenario.exitCode}${scenario.exitMeaning ? ` (${scenario.exitMeaning})` : ''}`
        : 'k6 did not run',
      scenario.files.log ? `k6 log: ${scenario.files.log}` : undefined,
      scenario.exception ? `the script threw:\n${scenario.exception}` : undefined,
    ]
      .filter(Boolean)
      .join('\n');
    cases.push({
      name: 'k6 run',
      classname: `k6-gate.${scenario.key}`,
      timeSeconds: scenario.k6WallMs !== undefined ? scenario.k6WallMs / 1000 : undefined,
      error: { type: 'error', message, text },
    });
  }
  if (scenario.outcome === 'inconclusive') {
    cases.push({
      name: 'verdict',
      classname: `k6-gate.${scenario.key}`,
      timeSeconds: scenario.k6WallMs !== undefined ? scenario.k6WallMs / 1000 : undefined,
      skipped: `inconclusive: ${scenario.inconclusive ?? 'the numbers could not decide'}`,
    });
  }
  for (const row of scenario.metrics) cases.push(metricCase(scenario, row));
  for (const threshold of scenario.thresholds) cases.push(thresholdCase(scenario, threshold));
  return cases;
}

function renderCase(c: Case): string {
  const attrs = [`name="${escapeXml(c.name)}"`, `classname="${escapeXml(c.classname)}"`];
  if (c.timeSeconds !== undefined) attrs.push(`time="${c.timeSeconds.toFixed(3)}"`);
  const body: string[] = [];
  const element = (tag: string, v: { message: string; type: string; text: string }) =>
    `      <${tag} message="${escapeXml(v.message)}" type="${escapeXml(v.type)}">${escapeXml(v.text)}</${tag}>`;
  if (c.error) body.push(element('error', c.error));
  if (c.failure) body.push(element('failure', c.failure));
  if (c.skipped !== undefined) body.push(`      <skipped message="${escapeXml(c.skipped)}"/>`);
  if (c.systemOut) body.push(`      <system-out>${escapeXml(c.systemOut)}</system-out>`);
  if (body.length === 0) return `    <testcase ${attrs.join(' ')}/>`;
  return [`    <testcase ${attrs.join(' ')}>`, ...body, '    </testcase>'].join('\n');
}

/** The whole report: `<testsuites>` with one `<testsuite>` per scenario run. */
export function renderJUnit(result: GateResult): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const scenario of result.scenarios) {
    const cases = scenarioCases(scenario);
    const f = cases.filter((c) => c.failure).length;
    const e = cases.filter((c) => c.error).length;
    const s = cases.filter((c) => c.skipped !== undefined).length;
    total += cases.length;
    failures += f;
    errors += e;
    skipped += s;
    const attrs = [
      `name="${escapeXml(`k6-gate ${scenario.key}`)}"`,
      `tests="${cases.length}"`,
      `failures="${f}"`,
      `errors="${e}"`,
      `skipped="${s}"`,
      `timestamp="${escapeXml(result.generatedAt)}"`,
    ];
    if (scenario.k6WallMs !== undefined) attrs.push(`time="${(scenario.k6WallMs / 1000).toFixed(3)}"`);
    const properties = [
      ['outcome', scenario.outcome],
      ['scenario', scenario.scenario],
      ['profile', scenario.profile],
      ['target', result.target],
      ['environment', result.environment],
      ['k6.version', result.k6?.version],
    ]
      .filter((p): p is [string, string] => p[1] !== undefined)
      .map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
    suites.push(
      [
        `  <testsuite ${attrs.join(' ')}>`,
        '    <properties>',
        ...properties,
        '    </properties>',
        ...cases.map(renderCase),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6-gate" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
