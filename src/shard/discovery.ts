// Finding the raw sample files (and summary exports) of one scenario's shards in a downloaded
// artifacts folder, and checking that they form one complete set.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { MergeError } from './merge-error.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  } catch (error) {
    throw new MergeError(
      `cannot read the shard results folder ${dir}: ${(error as Error).message}; expected the folder the shard artifacts were downloaded into`,
      {
        cause: error,
      },
    );
  }
}

function byShardOrder(a: string, b: string): number {
  return path.basename(a).localeCompare(path.basename(b), 'en', { numeric: true }) || a.localeCompare(b);
}

/**
 * Checks that numbered shard files (`.shard-<i>-of-<N>`) form one complete set: a missing shard
 * would gate on part of the load, a duplicate would count it twice.
 */
function checkComplete(files: string[], what: string): void {
  const seen = new Map<number, string>();
  let total: number | undefined;
  for (const file of files) {
    const match = /\.shard-(\d+)-of-(\d+)\./.exec(path.basename(file));
    if (!match) continue;
    const [index, count] = [Number(match[1]), Number(match[2])];
    if (total !== undefined && total !== count) {
      throw new MergeError(`${what}: ${file} is a shard of ${count} but others are of ${total}; expected the files of one run only`);
    }
    total = count;
    if (seen.has(index))
      throw new MergeError(
        `${what}: shard ${index} of ${count} appears twice (${seen.get(index)} and ${file}); expected one file per shard`,
      );
    seen.set(index, file);
  }
  if (total !== undefined) {
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0) {
      throw new MergeError(
        `${what}: shard(s) ${missing.join(', ')} of ${total} missing; found ${[...seen.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`,
      );
    }
  }
}

/**
 * The raw sample files of one scenario's shards under `dir` (searched recursively, so artifacts
 * downloaded into one folder each work too): `k6-<scenario>.shard-*.json[.gz]`.
 */
export async function findShardFiles(dir: string, scenario: string): Promise<string[]> {
  const pattern = new RegExp(`^k6-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json(\\.gz)?$`);
  const all = await listFiles(dir);
  const files = all.filter((f) => pattern.test(path.basename(f))).sort(byShardOrder);
  if (files.length === 0) {
    const seen = all.slice(0, 8).map((f) => path.relative(dir, f));
    throw new MergeError(
      `no shard files of scenario ${JSON.stringify(scenario)} in ${dir}; expected state-${scenario}.shard-<i>-of-<N>.json (or, from shards run with --raw-output, k6-${scenario}.shard-<i>-of-<N>.json.gz) (found ${seen.length ? seen.join(', ') + (all.length > 8 ? ', …' : '') : 'nothing'})`,
    );
  }
  checkComplete(files, `shard files of ${scenario} in ${dir}`);
  return files;
}

/** The shards' summary exports (`summary-<scenario>.shard-*.json`), for threshold expressions; may be none. */
export async function findShardSummaryFiles(dir: string, scenario: string): Promise<string[]> {
  const pattern = new RegExp(`^summary-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json$`);
  return (await listFiles(dir)).filter((f) => pattern.test(path.basename(f))).sort(byShardOrder);
}

/**
 * The state files of one scenario's shards under `dir` (searched recursively):
 * `state-<scenario>.shard-*.json`; may be none (the shards then wrote raw samples). Their
 * completeness is checked from their contents (src/shard/state-merge.ts checkStatesComplete).
 */
export async function findShardStateFiles(dir: string, scenario: string): Promise<string[]> {
  const pattern = new RegExp(`^state-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json$`);
  return (await listFiles(dir)).filter((f) => pattern.test(path.basename(f))).sort(byShardOrder);
}
