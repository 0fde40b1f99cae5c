// The step outputs, so later steps can branch on the verdict or pick up the files.
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { createFolder } from '../../folder.js';
import type { GateResult } from '../../model.js';

export const OUTPUT_NAMES = [
  'result',
  'failed',
  'regressions',
  'thresholds-failed',
  'inconclusive',
  'report-path',
  'comparison-path',
  'comment-url',
  'artifact-id',
  'artifact-url',
  'k6-version',
  'k6-path',
  'baseline-updated',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/** Pure: every output with its value ('' when not applicable, so `if:` expressions stay simple). */
export function gateOutputs(
  result: GateResult,
  extra: { resultsDir: string; commentUrl?: string; artifactId?: number; artifactUrl?: string },
): Record<OutputName, string> {
  return {
    result: result.outcome,
    failed: String(result.failed),
    regressions: String(result.regressions),
    'thresholds-failed': String(result.thresholdsFailed),
    inconclusive: String(result.inconclusive ?? 0),
    'report-path': path.join(extra.resultsDir, 'report.md'),
    'comparison-path': path.join(extra.resultsDir, 'comparison.json'),
    'comment-url': extra.commentUrl ?? '',
    'artifact-id': extra.artifactId === undefined ? '' : String(extra.artifactId),
    'artifact-url': extra.artifactUrl ?? '',
    'k6-version': result.k6?.version ?? '',
    'k6-path': result.k6?.path ?? '',
    'baseline-updated': String(result.baselineUpdated ?? false),
  };
}

/** The outputs of a run that ended before it had a result (bad input, an unexpected error). */
export function failedRunOutputs(): Record<OutputName, string> {
  const outputs = Object.fromEntries(OUTPUT_NAMES.map((name) => [name, ''])) as Record<OutputName, string>;
  return {
    ...outputs,
    result: 'error',
    failed: 'true',
    regressions: '0',
    'thresholds-failed': '0',
    inconclusive: '0',
    'baseline-updated': 'false',
  };
}

/**
 * Writes the outputs. Never fails the job: a GITHUB_OUTPUT file that does not exist yet (a local
 * run from .env.example) is created, and any other problem is a warning.
 */
export function setGateOutputs(outputs: Record<OutputName, string>): void {
  const file = process.env.GITHUB_OUTPUT;
  try {
    if (file) {
      createFolder(path.dirname(file));
      closeSync(openSync(file, 'a'));
    }
    for (const name of OUTPUT_NAMES) core.setOutput(name, outputs[name]);
  } catch (error) {
    core.warning(`k6-gate: could not write the step outputs to ${file}: ${(error as Error).message}`);
  }
}
