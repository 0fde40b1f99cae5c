// Sends the notifications: each target's URL comes from an environment variable and is a secret
// (never logged, never in a message); every failure is a warning, never a failed job. 429 and 5xx
// answers are retried (Retry-After honoured, capped), each attempt has a time limit.
import { retryAfterMs as parseRetryAfter } from '../http.js';
import type { Logger } from '../log.js';
import { redact } from '../log.js';
import type { GateResult } from '../model.js';
import { formatDuration } from '../format.js';
import { shouldNotify, type NotifyOn } from './payload.js';
import { findSink, sinkKinds } from './sinks/index.js';

export interface NotifyTarget {
  /** A registered sink's kind (src/notify/sinks/index.ts). */
  kind: string;
  /** The environment variable the URL came from: what messages name. */
  envName: string;
  url: string;
}

export interface NotifyConfig {
  targets: NotifyTarget[];
  on: NotifyOn;
}

export interface SendOptions {
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Attempts in all; default 3. */
  attempts?: number;
  /** First wait between attempts, doubled each time; default 1 s. */
  backoffMs?: number;
  /** Longest Retry-After honoured; default 30 s. */
  maxRetryAfterMs?: number;
  commit?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One POST with retries; resolves to a problem in words (without the URL) or undefined. */
async function post(target: NotifyTarget, body: unknown, options: SendOptions): Promise<string | undefined> {
  const attempts = options.attempts ?? 3;
  let wait = options.backoffMs ?? 1000;
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return undefined;
      problem = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) return `${problem} (not retried: check the URL in ${target.envName})`;
      if (response.status === 429) retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      problem =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${formatDuration(options.timeoutMs ?? 10_000)}`
          : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    }
    if (attempt < attempts) {
      await sleep(Math.min(retryAfterMs ?? wait, options.maxRetryAfterMs ?? 30_000));
      wait *= 2;
    }
  }
  return `${problem} after ${attempts} attempt(s)`;
}

/** Sends what `config.on` asks for; returns the warnings (also logged). */
export async function sendNotifications(
  config: NotifyConfig,
  result: GateResult,
  log: Logger,
  options: SendOptions = {},
): Promise<string[]> {
  if (config.targets.length === 0 || !shouldNotify(config.on, result.outcome)) return [];
  const warnings: string[] = [];
  const urls = config.targets.map((t) => t.url);
  for (const target of config.targets) {
    const sink = findSink(target.kind);
    // Never another kind's body: an unknown kind is not sent (the inputs refuse it before a run).
    const problem = sink
      ? await post(target, sink.body(result, options.commit), options)
      : `"${target.kind}" is not a notification kind; expected ${sinkKinds()} (not sent)`;
    if (problem === undefined) {
      log.info(`k6-gate: ${target.kind} notification sent (URL from ${target.envName})`);
    } else {
      // The URL is the secret: messages name the variable, and anything else is redacted too.
      const warning = redact(`could not send the ${target.kind} notification (URL from ${target.envName}): ${problem}`, urls);
      warnings.push(warning);
      log.warning(`k6-gate: ${warning}`);
    }
  }
  return warnings;
}
