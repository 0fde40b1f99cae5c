// The GitHub Action: inputs → Config → runGate → publish to GitHub → exactly one setFailed.
import path from 'node:path';
import * as core from '@actions/core';
import type { CommentMode, Config } from './config.js';
import { parseCommentMode, readInputs, secretInputs, type PublishInputs } from './inputs.js';
import { shardArtifactName } from './shard/shard.js';
import type { Logger } from './log.js';
import { Cancellation, exitStatusForSignal, type StopSignal } from './cancel.js';
import { describeFailure, isExpectedError } from './errors.js';
import type { GateResult } from './model.js';
import { exitStatusFor, runGate } from './gate/gate.js';
import { readRunContext, type GitHubRunContext } from './platform/github/context.js';
import { defaultArtifactName, defaultCommentId, sanitizeArtifactName } from './platform/github/names.js';
import { createGitHubLogger, type GitHubLogger } from './platform/github/logger.js';
import { failedRunOutputs, setGateOutputs } from './platform/github/outputs.js';
import { runFacts } from './platform/github/platform.js';
import { publishFailureToGitHub, publishToGitHub } from './platform/github/publish.js';

const input = (name: string): string => core.getInput(name);

/** Masks every secret value before the first line is logged. */
function registerSecrets(log: Logger): void {
  for (const value of secretInputs(input, process.env)) log.addSecret(value);
}

/** Scenario name → workspace-relative script, for annotations that link to the file. */
function scriptsInWorkspace(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of config.scenarios) {
    const relative = path.relative(config.workspace, s.script);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) out[s.name] = relative.split(path.sep).join('/');
  }
  return out;
}

/** Causes named in the failure line; the rest are counted (each is in the log and the report). */
const CAUSES_NAMED = 3;

function failureMessage(result: GateResult): string | undefined {
  const status = exitStatusFor(result);
  if (status === 0) return undefined;
  if (status === 2) {
    const failed = result.scenarios.filter((s) => s.error);
    const causes = [...new Set(failed.map((s) => (failed.length > 1 ? `${s.key}: ${s.error}` : s.error!)))];
    const more = causes.length > CAUSES_NAMED ? `; and ${causes.length - CAUSES_NAMED} more (see the log and the job summary)` : '';
    return `k6-gate: the load test could not run: ${causes.slice(0, CAUSES_NAMED).join('; ') || 'see the log above'}${more}`;
  }
  const parts: string[] = [];
  if (result.regressions > 0 && result.failOn.includes('regression')) parts.push(`${result.regressions} regressed metric(s)`);
  if (result.thresholdsFailed > 0 && result.failOn.includes('thresholds')) parts.push(`${result.thresholdsFailed} crossed k6 threshold(s)`);
  if ((result.inconclusive ?? 0) > 0 && result.failOn.includes('inconclusive'))
    parts.push(`${result.inconclusive} inconclusive scenario(s)`);
  return `k6-gate: the gate failed: ${parts.join(', ') || result.outcome} (fail-on: ${result.failOn.join(', ')})`;
}

/** The comment id and artifact name: given as inputs, or named after the run (job, matrix entry, shard). */
function publishNames(ctx: GitHubRunContext, config: Config, publish: PublishInputs): { commentId: string; artifactName: string } {
  // A shard's artifact must match the merge job's download pattern (docs/scale-out.md).
  const shardName = config.shard && config.scenarios.length === 1 ? shardArtifactName(config.scenarios[0].name, config.shard) : undefined;
  return {
    commentId: publish.commentId ?? defaultCommentId(ctx, publish.matrix),
    artifactName: sanitizeArtifactName(publish.artifactName ?? shardName ?? defaultArtifactName(ctx, publish.matrix)),
  };
}

/**
 * The comment settings read as far as they can be when the inputs as a whole were refused: the
 * token, id and mode, each on its own, so bad input elsewhere still reaches the PR comment.
 */
function failureCommentSettings(ctx: GitHubRunContext): { mode: CommentMode; id: string; token?: string } {
  let mode: CommentMode = 'always';
  try {
    mode = parseCommentMode(input('comment'));
  } catch {
    // A bad `comment` value is the bad input being reported; the error is still worth a comment.
  }
  return { mode, id: input('comment-id') || defaultCommentId(ctx, input('matrix') || undefined), token: input('token') || undefined };
}

interface ActionEnd {
  /** The message the job fails with; undefined when it passes. */
  failure?: string;
  /** The step outputs were set from a result. */
  outputsSet?: boolean;
  /** The failure's causes are already on the log as errors: do not annotate them twice. */
  causesShown?: boolean;
  cancelled?: StopSignal;
}

async function runAction(log: GitHubLogger, cancellation: Cancellation): Promise<ActionEnd> {
  const ctx = readRunContext(process.env);
  let config: Config;
  let publish: PublishInputs;
  let names: ReturnType<typeof publishNames>;
  try {
    ({ config, publish } = await readInputs(input, {
      workspace: ctx.workspace,
      env: process.env,
      ...runFacts(ctx),
    }));
    names = publishNames(ctx, config, publish);
  } catch (error) {
    if (!isExpectedError(error)) throw error;
    // Bad input never reaches k6; say so where people look first, the PR comment included.
    await publishFailureToGitHub(log.clean(error.message), { ctx, log, comment: failureCommentSettings(ctx) });
    return { failure: `k6-gate: ${error.message}` };
  }

  const result = await runGate(config, log, { cancellation });
  const published = await publishToGitHub(result, {
    ctx,
    resultsDir: config.resultsDir,
    log,
    scripts: scriptsInWorkspace(config),
    annotations: log.annotations,
    baseline: config.proposeBaseline
      ? { proposal: config.proposeBaseline, file: config.baselinePath, workspace: config.workspace }
      : undefined,
    comment: { mode: publish.comment, id: names.commentId, token: publish.token },
    artifact: { enabled: publish.uploadArtifacts, name: names.artifactName, retentionDays: publish.retentionDays },
  });
  if (result.cancelled) {
    return {
      failure: `k6-gate: cancelled by ${result.cancelled}; the partial results are in ${published.artifact ? `artifact ${published.artifact.name}` : config.resultsDir}`,
      outputsSet: true,
      cancelled: result.cancelled,
    };
  }
  return { failure: failureMessage(result), outputsSet: true, causesShown: result.outcome === 'error' && causesAlreadyShown(result, log) };
}

/** True when every cause of an error outcome was already printed as an error annotation. */
function causesAlreadyShown(result: GateResult, log: GitHubLogger): boolean {
  const causes = [...new Set(result.scenarios.map((s) => s.error).filter((e): e is string => Boolean(e)))];
  return causes.length > 0 && causes.every((cause) => log.errorsShown.has(log.clean(cause)));
}

/** The action: ends with the outputs set, at most one error for each cause, and the job's status. */
export async function run(cancellation = new Cancellation()): Promise<void> {
  const log = createGitHubLogger();
  let end: ActionEnd;
  try {
    registerSecrets(log);
    end = await runAction(log, cancellation);
  } catch (error) {
    end = { failure: `k6-gate: ${describeFailure(error, false)}` };
  }
  // Later steps branch on these: they are set however the action ends.
  if (!end.outputsSet) setGateOutputs(failedRunOutputs());
  if (!end.failure) {
    log.annotations.finish(undefined);
    return;
  }
  process.exitCode = 1;
  // The step's last error annotation: the failure, with what did not fit in the first nine.
  if (end.causesShown) {
    core.info(log.clean(end.failure));
    log.annotations.finish(undefined);
  } else {
    log.annotations.finish(log.clean(end.failure));
  }
  if (end.cancelled) process.exitCode = exitStatusForSignal(end.cancelled);
}
