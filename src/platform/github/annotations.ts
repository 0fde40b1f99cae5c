// Error annotations: one per regressed metric and one per crossed k6 threshold, so the run's summary
// page and the PR's checks tab name the problem without opening the log.
import * as core from '@actions/core';
import type { GateResult } from '../../model.js';
import { isRegression } from '../../baseline/compare.js';
import { formatChange, formatValue } from '../../format.js';

export interface Annotation {
  title: string;
  message: string;
  /** Workspace-relative path of the scenario script, when known, so GitHub links the annotation to it. */
  file?: string;
}

/** Pure: the annotations a result deserves. `scripts` maps scenario names to workspace-relative paths. */
export function annotationsFor(result: GateResult, scripts: Record<string, string> = {}): Annotation[] {
  const out: Annotation[] = [];
  for (const scenario of result.scenarios) {
    const file = scripts[scenario.scenario];
    for (const m of scenario.metrics) {
      // A watched metric that vanished counts as a regression when its rule says so (isRegression).
      if (!isRegression(m)) continue;
      const missing = m.verdict === 'missing';
      const numbers = missing
        ? `missing from this run (baseline ${formatValue(m.baseline, m.unit)})`
        : `${formatValue(m.current, m.unit)} vs baseline ${formatValue(m.baseline, m.unit)} (${formatChange(m.change)})`;
      out.push({
        title: `k6-gate: ${m.metric} ${m.stat} ${missing ? 'missing' : 'regressed'} (${scenario.key})`,
        // The comparison's note already reads as a sentence with the numbers and the limit.
        message: m.note || numbers,
        file,
      });
    }
    for (const t of scenario.thresholds) {
      if (t.ok) continue;
      out.push({
        title: `k6-gate: threshold crossed (${scenario.key})`,
        message: `${t.metric}: ${t.expression} did not hold`,
        file,
      });
    }
  }
  return out;
}

/** GitHub shows at most 10 error annotations of a step; the rest would vanish without a word. */
export const MAX_ERROR_ANNOTATIONS = 10;

/** Longest annotation message kept: a note is a sentence, and the folded list must stay readable. */
export const MAX_ANNOTATION_MESSAGE = 1000;
/** GitHub shows a title on one line. */
export const MAX_ANNOTATION_TITLE = 200;

function clip(text: string, max: number, tail: string): string {
  return text.length <= max ? text : `${text.slice(0, max - tail.length - 1)}…${tail}`;
}

/**
 * Keeps the first annotations and folds the rest into one that says how many more the report has;
 * every title and message is cut to a readable length.
 */
export function capAnnotations(annotations: readonly Annotation[], max = MAX_ERROR_ANNOTATIONS): Annotation[] {
  const cut = (a: Annotation): Annotation => ({
    ...a,
    title: clip(a.title, MAX_ANNOTATION_TITLE, ''),
    message: clip(a.message, MAX_ANNOTATION_MESSAGE, ' (see the job summary or report.md for all of it)'),
  });
  if (annotations.length <= max) return annotations.map(cut);
  const kept = annotations.slice(0, max - 1).map(cut);
  const rest = annotations.slice(max - 1);
  kept.push({
    title: `k6-gate: ${rest.length} more problem(s)`,
    message: clip(
      `${rest.map((a) => a.title.replace(/^k6-gate: /, '')).join('; ')} — see the job summary or report.md for all of them`,
      MAX_ANNOTATION_MESSAGE,
      ' — see the job summary or report.md for all of them',
    ),
  });
  return kept;
}

export function emitAnnotations(annotations: readonly Annotation[]): void {
  for (const a of capAnnotations(annotations)) {
    core.error(a.message, { title: a.title, ...(a.file ? { file: a.file } : {}) });
  }
}
