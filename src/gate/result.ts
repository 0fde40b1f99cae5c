// The run's shared state (config, log, stop requests, the result being filled) and the result's
// starting shapes. A step that must end the run throws `GateStop`; runGate turns it into the
// `error` outcome.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Cancellation } from '../cancel.js';
import type { Config, ScenarioSpec } from '../config.js';
import type { Logger } from '../log.js';
import type { GateResult, ScenarioResult } from '../model.js';
import { newTestId } from '../observability/metrics-output.js';
import { scenarioKey } from '../scenarios.js';
import { withoutCredentials } from '../url.js';
import { VERSION } from '../version.js';

/** What every step of one gate run reads, and the result it fills in. */
export interface GateRun {
  config: Config;
  log: Logger;
  cancellation: Cancellation;
  result: GateResult;
}

/** Ends the run with the `error` outcome. `writeResults: false` when the results dir is not ours to write. */
export class GateStop extends Error {
  constructor(
    message: string,
    readonly writeResults = true,
  ) {
    super(message);
    this.name = 'GateStop';
  }
}

/** Paths inside the workspace are shown relative to it; others (the demo's bundled baseline) in full. */
function displayPath(file: string, workspace: string): string {
  const relative = path.relative(workspace, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function emptyResult(config: Config): GateResult {
  return {
    schemaVersion: 1,
    tool: { name: 'k6-gate', version: VERSION },
    generatedAt: new Date().toISOString(),
    target: config.target ? withoutCredentials(config.target) : undefined,
    environment: config.environment,
    baselinePath: displayPath(config.baselinePath, config.workspace),
    outcome: 'passed',
    failOn: config.failOn,
    failed: false,
    scenarios: [],
    regressions: 0,
    thresholdsFailed: 0,
    warnings: [],
    testId: config.metricsOutputs?.length ? newTestId(new Date(), randomBytes(3).toString('hex')) : undefined,
  };
}

/** The baseline key of a scenario of this run. */
export function keyOf(config: Config, spec: ScenarioSpec): string {
  return scenarioKey(spec.name, config.profile, config.environment);
}

/** A scenario's result before anything is known about it. */
export function newScenarioResult(config: Config, spec: ScenarioSpec): ScenarioResult {
  return {
    scenario: spec.name,
    profile: config.profile,
    key: keyOf(config, spec),
    outcome: 'passed',
    thresholds: [],
    metrics: [],
    files: {},
  };
}

/** Marks the run as failed by `message`; scenarios that never started get it as their error. */
export function markError(run: GateRun, message: string): void {
  const { result, config } = run;
  run.log.error(message);
  result.outcome = 'error';
  result.failed = true;
  if (result.scenarios.length === 0) {
    result.scenarios = config.scenarios.map((spec) => ({ ...newScenarioResult(config, spec), outcome: 'error', error: message }));
  }
}
