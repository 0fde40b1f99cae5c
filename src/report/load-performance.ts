// GitLab's `artifacts:reports:load_performance` file. Pure: data in, text out.
//
// GitLab's merge-request widget compares this file between the source and target branch pipelines
// and reads exactly k6's legacy `--summary-export` shape: RPS from `metrics.http_reqs.rate`, TTFB
// from `metrics.http_req_waiting["p(90)"]` / `["p(95)"]`, checks from `metrics.checks.passes` and
// `.fails`. So the report is the gating scenario's legacy export copied byte for byte: nothing is
// lost, and what GitLab shows matches what k6 wrote. Only when no legacy export exists (k6 wrote
// the machine-readable summary alone) is the legacy shape rebuilt from the parsed summary.
//
// The gating scenario is the first configured scenario that produced a summary: the widget
// compares like with like only when the same scenario feeds it on both branches.
import { legacySummaryExportText } from '../k6/summary.js';
import type { GateResult, ScenarioResult } from '../model.js';

export const LOAD_PERFORMANCE_FILE = 'load-performance.json';

/** The scenario whose numbers GitLab's load-performance widget shows. */
export function gatingScenario(result: GateResult): ScenarioResult | undefined {
  return result.scenarios.find((s) => s.summary !== undefined);
}

/**
 * The results-dir file to copy as the report: the gating scenario's legacy summary export, when
 * that is what its summary was read from.
 */
export function loadPerformanceSourceFile(result: GateResult): string | undefined {
  const scenario = gatingScenario(result);
  if (!scenario?.summary || scenario.summary.format !== 'legacy') return undefined;
  return scenario.files.summary;
}

function isLegacyExport(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null && typeof (data as { metrics?: unknown }).metrics === 'object';
  } catch {
    return false;
  }
}

/**
 * The load_performance report text, or undefined when no scenario produced a summary.
 * `legacySummaryText` is the content of `loadPerformanceSourceFile(result)` when it could be read.
 */
export function renderLoadPerformance(result: GateResult, legacySummaryText?: string): string | undefined {
  const scenario = gatingScenario(result);
  if (!scenario?.summary) return undefined;
  if (legacySummaryText !== undefined && isLegacyExport(legacySummaryText)) return legacySummaryText;
  return legacySummaryExportText(scenario.summary);
}
