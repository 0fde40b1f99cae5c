// The step outputs, so later steps can branch on the verdict or pick up the files.
import path from 'node:path';
import * as core from '@actions/core';
import type { GateResult } from '../../model.js';

export const OUTPUT_NAMES = [
  'result',
  'failed',
  'regressions',
  'thresholds-failed',
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

export function setGateOutputs(outputs: Record<OutputName, string>): void {
  for (const name of OUTPUT_NAMES) core.setOutput(name, outputs[name]);
}
