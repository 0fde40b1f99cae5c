// The GitHub Action: inputs → Config → runGate → publish to GitHub → exactly one setFailed.
import path from 'node:path';
import * as core from '@actions/core';
import { ConfigError, optional, parseBoolean, type Config } from './config.js';
import { configFromInputs, parseList } from './inputs.js';
import { shardArtifactName } from './shard/shard.js';
import type { Logger } from './log.js';
import type { GateResult } from './model.js';
import { exitStatusFor, runGate } from './pipeline.js';
import { parseRetentionDays } from './platform/github/artifacts.js';
import { parseCommentMode } from './platform/github/comment.js';
import {
  defaultArtifactName,
  defaultCommentId,
  isDefaultBranchRun,
  isPullRequestEvent,
  readRunContext,
  sanitizeArtifactName,
  type GitHubRunContext,
} from './platform/github/context.js';
import { createGitHubLogger } from './platform/github/logger.js';
import { publishToGitHub } from './platform/github/publish.js';
import { writeJobSummary } from './platform/github/summary.js';

const input = (name: string): string => core.getInput(name);

/** Masks every secret value before the first line is logged. */
function registerSecrets(log: Logger): void {
  const token = input('token');
  if (token) log.addSecret(token);
  const authToken = optional(input('auth-token'));
  if (authToken) log.addSecret(authToken);
  for (const name of parseList(input('secret-env'))) {
    const value = process.env[name];
    if (value) log.addSecret(value);
  }
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

function failureMessage(result: GateResult): string | undefined {
  const status = exitStatusFor(result);
  if (status === 0) return undefined;
  if (status === 2) {
    const causes = [...new Set(result.scenarios.map((s) => s.error).filter(Boolean))];
    return `k6-gate: the load test could not run: ${causes.join('; ') || 'see the log above'}`;
  }
  const parts: string[] = [];
  if (result.regressions > 0 && result.failOn.includes('regression')) parts.push(`${result.regressions} regressed metric(s)`);
  if (result.thresholdsFailed > 0 && result.failOn.includes('thresholds')) parts.push(`${result.thresholdsFailed} crossed k6 threshold(s)`);
  return `k6-gate: the gate failed: ${parts.join(', ') || result.outcome} (fail-on: ${result.failOn.join(', ')})`;
}

interface PublishSettings {
  comment: ReturnType<typeof parseCommentMode>;
  commentId: string;
  artifactName: string;
  retentionDays?: number;
  uploadArtifacts: boolean;
}

function readPublishSettings(ctx: GitHubRunContext, config: Config): PublishSettings {
  const matrix = input('matrix');
  // A shard's artifact must match the merge job's download pattern (docs/scale-out.md).
  const shardName = config.shard && config.scenarios.length === 1 ? shardArtifactName(config.scenarios[0].name, config.shard) : undefined;
  return {
    comment: parseCommentMode(input('comment')),
    commentId: optional(input('comment-id')) ?? defaultCommentId(ctx, matrix),
    artifactName: sanitizeArtifactName(optional(input('artifact-name')) ?? shardName ?? defaultArtifactName(ctx, matrix)),
    retentionDays: parseRetentionDays(input('retention-days')),
    uploadArtifacts: parseBoolean('upload-artifacts', input('upload-artifacts'), true),
  };
}

/** Returns the message the job fails with, or undefined when it passes. */
async function runAction(log: Logger): Promise<string | undefined> {
  const ctx = readRunContext(process.env);
  let config: Config;
  let settings: PublishSettings;
  try {
    config = await configFromInputs(input, {
      workspace: ctx.workspace,
      env: process.env,
      git: { commit: ctx.sha, ref: ctx.ref, isDefaultBranch: isDefaultBranchRun(ctx) },
      onCi: true,
      changeRequest: isPullRequestEvent(ctx.eventName) ? `${ctx.eventName} run` : undefined,
    });
    settings = readPublishSettings(ctx, config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Bad input never reaches k6; say so where people look first.
    await writeJobSummary(`## 💥 k6-gate: bad input\n\n${error.message}\n`).catch(() => false);
    return `k6-gate: ${error.message}`;
  }

  const result = await runGate(config, log);
  await publishToGitHub(result, {
    ctx,
    resultsDir: config.resultsDir,
    log,
    scripts: scriptsInWorkspace(config),
    comment: { mode: settings.comment, id: settings.commentId, token: optional(input('token')) },
    artifact: { enabled: settings.uploadArtifacts, name: settings.artifactName, retentionDays: settings.retentionDays },
  });
  return failureMessage(result);
}

export async function run(): Promise<void> {
  const log = createGitHubLogger();
  let failure: string | undefined;
  try {
    registerSecrets(log);
    failure = await runAction(log);
  } catch (error) {
    failure = `k6-gate: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  if (failure) core.setFailed(log.clean(failure));
}
