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
/** Longest workflow-command line written (`::error title=…::message`, UTF-8 bytes after escaping). */
export const MAX_COMMAND_BYTES = 4096;

function clip(text: string, max: number, tail: string): string {
  return text.length <= max ? text : `${text.slice(0, max - tail.length - 1)}…${tail}`;
}

/** Bytes a character takes in a workflow command once escaped (`%` `\r` `\n`, and `:` `,` in properties). */
function escapedBytes(char: string, property: boolean): number {
  if (char === '%' || char === '\r' || char === '\n' || (property && (char === ':' || char === ','))) return 3;
  return Buffer.byteLength(char, 'utf8');
}

function commandBytes(text: string, property: boolean): number {
  let total = 0;
  for (const char of text) total += escapedBytes(char, property);
  return total;
}

/** The longest start of `text` whose escaped form fits `maxBytes` with `tail` appended. */
function clipToBytes(text: string, maxBytes: number, tail: string): string {
  if (commandBytes(text, false) <= maxBytes) return text;
  const room = maxBytes - commandBytes(`…${tail}`, false);
  let used = 0;
  let end = 0;
  for (const char of text) {
    const cost = escapedBytes(char, false);
    if (used + cost > room) break;
    used += cost;
    end += char.length;
  }
  return `${text.slice(0, end)}…${tail}`;
}

/** An annotation whose command line stays under MAX_COMMAND_BYTES, title and file included. */
export function fitAnnotation(a: Annotation, tail = ' (see the job summary or report.md for all of it)'): Annotation {
  const title = clip(a.title, MAX_ANNOTATION_TITLE, '');
  // `::error title=…,file=…::` around the escaped properties, with a margin.
  const overhead = 32 + commandBytes(title, true) + (a.file ? commandBytes(a.file, true) : 0);
  const message = clipToBytes(clip(a.message, MAX_ANNOTATION_MESSAGE, tail), MAX_COMMAND_BYTES - overhead, tail);
  return { ...a, title, message };
}

/**
 * Keeps the first annotations and folds the rest into one that says how many more the report has
 * and names them; every title and message is cut to a readable length.
 */
export function capAnnotations(annotations: readonly Annotation[], max = MAX_ERROR_ANNOTATIONS): Annotation[] {
  if (annotations.length <= max) return annotations.map((a) => fitAnnotation(a));
  const kept = annotations.slice(0, max - 1).map((a) => fitAnnotation(a));
  kept.push(foldedAnnotation(annotations.slice(max - 1).map((a) => a.title)));
  return kept;
}

function foldedAnnotation(titles: readonly string[]): Annotation {
  const tail = ' — see the job summary or report.md for all of them';
  return fitAnnotation(
    {
      title: `k6-gate: ${titles.length} more problem(s)`,
      message: clip(`${titles.map((t) => t.replace(/^k6-gate: /, '')).join('; ')}${tail}`, MAX_ANNOTATION_MESSAGE, tail),
    },
    tail,
  );
}

export interface AnnotationSink {
  error(message: string, properties: { title?: string; file?: string }): void;
  /** A plain log line, for what no longer fits as an annotation. */
  info(message: string): void;
}

const actionsSink: AnnotationSink = {
  error: (message, properties) => core.error(message, properties),
  info: (message) => core.info(message),
};

/**
 * The error annotations of one step: GitHub shows 10, so the first 9 are shown as they come, the
 * rest are printed as log lines and folded into the last one, which is kept for the step's failure
 * (or, when the step does not fail, a summary of what was folded). Every line stays under 4 KB.
 */
export class ErrorAnnotations {
  private shown = 0;
  private readonly folded: string[] = [];

  constructor(
    private readonly sink: AnnotationSink = actionsSink,
    private readonly max = MAX_ERROR_ANNOTATIONS,
  ) {}

  error(annotation: Annotation): void {
    const fitted = fitAnnotation(annotation);
    if (this.shown < this.max - 1) {
      this.shown++;
      // The whole text stays in the log when the annotation had to be cut.
      if (fitted.message !== annotation.message) this.sink.info(annotation.message);
      this.sink.error(fitted.message, {
        ...(annotation.title ? { title: fitted.title } : {}),
        ...(fitted.file ? { file: fitted.file } : {}),
      });
      return;
    }
    this.sink.info(`Error: ${annotation.title ? `${annotation.title}: ` : ''}${annotation.message}`);
    this.folded.push(annotation.title || firstWords(annotation.message));
  }

  /** The last annotation: the step's failure with what was folded, or the folded ones alone. */
  finish(failure: string | undefined): void {
    const more = this.folded.length > 0 ? foldedAnnotation(this.folded) : undefined;
    this.folded.length = 0;
    if (failure === undefined) {
      if (more) this.sink.error(more.message, { title: more.title });
      return;
    }
    // The failure keeps half the room, so the folded problems are named even after a long failure.
    const head = more ? clip(failure, MAX_ANNOTATION_MESSAGE / 2, '') : failure;
    const message = more ? `${head} — and ${more.title.replace(/^k6-gate: /, '')}: ${more.message}` : failure;
    const fitted = fitAnnotation({ title: '', message });
    if (fitted.message !== message) this.sink.info(message);
    this.sink.error(fitted.message, {});
  }
}

function firstWords(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), 120, '');
}

export function emitAnnotations(annotations: readonly Annotation[], budget = new ErrorAnnotations()): void {
  for (const a of annotations) budget.error(a);
}
