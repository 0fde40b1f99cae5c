// The seam between the gate and the CI system it runs in. A platform says whether this process runs
// in one of its jobs, what the job knows about the commit and the change request, and where a
// finished gate (or a run that could not start) is reported. The CLI picks one from the environment
// (registry.ts); the GitHub Action is GitHub by definition.
import type { GateResult } from '../model.js';
import type { Logger } from '../log.js';
import type { ProposalRequest } from './baseline-proposal.js';

export type Env = Record<string, string | undefined>;

/** What the job's environment says about the commit under test. */
export interface RunFacts {
  /** Runs in a CI job (results dir rules, no prompts). */
  onCi: boolean;
  git: { commit?: string; ref?: string; isDefaultBranch?: boolean };
  /** Words for a pull/merge request run, which keeps heavy profiles off it; undefined otherwise. */
  changeRequest?: string;
}

export interface PublishRun {
  resultsDir: string;
  log: Logger;
  env: Env;
  /** `update-baseline: pull-request` / `merge-request`: the updated file to propose, when the run updated it. */
  baseline?: ProposalRequest;
  /** GitLab: post the sticky merge-request note (the mr-note input; default true). */
  mrNote?: boolean;
  /** GitLab: key prefix of the dotenv variables (the dotenv-prefix input). */
  dotenvPrefix?: string;
  /** Identifier of the sticky comment or note (the comment-id input; default the job). */
  noteId?: string;
}

export interface CiPlatform {
  /** `github`, `gitlab`, `local`: what messages and docs call it. */
  readonly name: string;
  /** The job log folds GitLab-style collapsible sections. */
  readonly logSections?: 'gitlab';
  /** True when this process runs in one of this platform's jobs. */
  detect(env: Env): boolean;
  facts(env: Env): RunFacts;
  /** Reports a finished gate where the platform shows it. Never throws: reporting problems are warnings. */
  publish(result: GateResult, run: PublishRun): Promise<void>;
  /**
   * Reports a run that ended before it had a result (bad input), so the change request's sticky
   * comment stops showing the previous run's report. Never throws.
   */
  publishFailure(message: string, run: Omit<PublishRun, 'resultsDir'>): Promise<void>;
}
