// Shard mode: one k6 test split across N instances with execution segments.
//
// k6 divides the workload of every scenario between instances by the segment each instance gets;
// the segments of all instances must come from one sequence so that k6 spreads VUs and iterations
// evenly and the shares add up to exactly the whole test. Shards are numbered from 1, like
// GitLab's CI_NODE_INDEX and `--shard=1/3` in other tools.
import { ConfigError } from '../config.js';

export interface ShardSpec {
  /** 1-based index of this shard. */
  index: number;
  /** Number of shards the test is split into. */
  count: number;
}

/** A bad `shard` input is a configuration error like any other bad input. */
export class ShardSpecError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ShardSpecError';
  }
}

/** Above this, a shard gets so small a share that rounding in k6's segment maths dominates. */
export const MAX_SHARDS = 1000;

/** `2/3` → { index: 2, count: 3 }. */
export function parseShard(value: string): ShardSpec {
  const text = value.trim();
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (!match) {
    throw new ShardSpecError(`shard ${JSON.stringify(value)} is not i/N; expected e.g. "1/3" (shard 1 of 3, shards counted from 1)`);
  }
  return validateShard({ index: Number(match[1]), count: Number(match[2]) }, value);
}

export function validateShard(shard: ShardSpec, shown: string = `${shard.index}/${shard.count}`): ShardSpec {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new ShardSpecError(`shard ${JSON.stringify(shown)}: the shard count must be a whole number from 1 to ${MAX_SHARDS}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > count) {
    throw new ShardSpecError(`shard ${JSON.stringify(shown)}: the index must be from 1 to ${count} (shards are counted from 1)`);
  }
  return { index, count };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** k6's fraction syntax: `0`, `1`, `1/3`, `2/3` (reduced, so `2/4` is written `1/2`). */
export function segmentPoint(numerator: number, denominator: number): string {
  if (numerator === 0) return '0';
  if (numerator === denominator) return '1';
  const d = gcd(numerator, denominator);
  return `${numerator / d}/${denominator / d}`;
}

/** The whole sequence `0,1/N,…,1` that every shard of the run must share. */
export function segmentSequence(count: number): string {
  validateShard({ index: 1, count });
  return Array.from({ length: count + 1 }, (_, i) => segmentPoint(i, count)).join(',');
}

/** `i-1/N:i/N`, in the same spelling as the sequence so k6 finds the segment in it. */
export function executionSegment(shard: ShardSpec): string {
  const { index, count } = validateShard(shard);
  return `${segmentPoint(index - 1, count)}:${segmentPoint(index, count)}`;
}

/** The k6 arguments for one shard, e.g. for 2/3: `--execution-segment 1/3:2/3 --execution-segment-sequence 0,1/3,2/3,1`. */
export function shardArgs(index: number, count: number): string[] {
  const shard = validateShard({ index, count });
  return ['--execution-segment', executionSegment(shard), '--execution-segment-sequence', segmentSequence(shard.count)];
}

/** `.shard-2-of-3`: part of every file a shard writes, so files of all shards can share one folder. */
export function shardSuffix(shard: ShardSpec): string {
  return `.shard-${shard.index}-of-${shard.count}`;
}

/** The raw-samples file of one shard: `k6-<scenario>.shard-<i>-of-<N>.json.gz`. */
export function shardRawFileName(scenario: string, shard: ShardSpec): string {
  return `k6-${scenario}${shardSuffix(shard)}.json.gz`;
}

/** The summary export of one shard: `summary-<scenario>.shard-<i>-of-<N>.json`. */
export function shardSummaryFileName(scenario: string, shard: ShardSpec): string {
  return `summary-${scenario}${shardSuffix(shard)}.json`;
}

/** The k6 log of one shard: `k6-<scenario>.shard-<i>-of-<N>.log`. */
export function shardLogFileName(scenario: string, shard: ShardSpec): string {
  return `k6-${scenario}${shardSuffix(shard)}.log`;
}

/** The artifact name a shard job uploads. */
export function shardArtifactName(scenario: string, shard: ShardSpec): string {
  return `k6-gate-shard-${scenario}-${shard.index}-of-${shard.count}`;
}

/** The state file of one shard (src/shard/state.ts): `state-<scenario>.shard-<i>-of-<N>.json`. */
export function shardStateFileName(scenario: string, shard: ShardSpec): string {
  return `state-${scenario}${shardSuffix(shard)}.json`;
}

/** The folder under the results dir where `k6-gate collect` writes each runner's state for the merge. */
export const COLLECTED_DIR = 'collected';
