// What a k6 binary says it is: `k6 version`, run with a time limit, and remembered per binary file
// in the tool cache so a run does not start k6 once more only to ask (~50 ms).
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './process.js';
import { formatDuration } from '../format.js';
import { K6InstallError, parseK6VersionOutput } from './system.js';

/** How long `k6 version` may take by default. */
export const VERSION_TIMEOUT_MS = 30_000;

/** Runs `<binary> version` and returns X.Y.Z, or undefined when it does not answer like k6. */
export async function readK6Version(binary: string): Promise<string | undefined> {
  const probe = await probeK6Version(binary);
  return probe.version;
}

/** Where answers of `k6 version` are remembered, per binary (see rememberedVersion). */
/** Inside k6's own folder of the tool cache (`<tool cache>/k6/`), next to the versions it describes. */
const VERSION_MEMO = '.k6-gate-versions.json';
const VERSION_MEMO_ENTRIES = 32;

interface VersionMemoEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  version: string;
}

/**
 * `k6 version` costs a k6 start (~50 ms) on every run. Its answer is remembered in the tool cache
 * folder per binary path, with the file's size, mtime and inode: while the file is the same file,
 * it is the same k6. Any change (a rebuild, a replaced or truncated binary) probes again.
 */
export async function rememberedVersion(
  binary: string,
  toolCacheDir: string,
  timeoutMs: number,
): Promise<{ version?: string; problem?: string }> {
  const memoDir = path.join(toolCacheDir, 'k6');
  const memoFile = path.join(memoDir, VERSION_MEMO);
  const info = await stat(binary).catch(() => undefined);
  let memo: Record<string, VersionMemoEntry> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(memoFile, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) memo = parsed as Record<string, VersionMemoEntry>;
  } catch {
    // No memo yet, or an unreadable one: probe.
  }
  const known = memo[binary];
  if (
    info &&
    known &&
    known.size === info.size &&
    known.mtimeMs === info.mtimeMs &&
    known.ino === info.ino &&
    typeof known.version === 'string'
  ) {
    return { version: known.version };
  }
  const probe = await probeK6Version(binary, timeoutMs);
  if (probe.version && info) {
    const entries = Object.entries(memo).filter(([key]) => key !== binary);
    const kept = Object.fromEntries(entries.slice(-(VERSION_MEMO_ENTRIES - 1)));
    kept[binary] = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, version: probe.version };
    // Written whole and renamed into place: a concurrent reader sees the old memo or the new one.
    const temp = `${memoFile}.${process.pid}.tmp`;
    await mkdir(memoDir, { recursive: true })
      .then(() => writeFile(temp, JSON.stringify(kept)))
      .then(() => rename(temp, memoFile))
      .catch(() => rm(temp, { force: true }).catch(() => undefined));
  }
  return probe;
}

export async function probeK6Version(binary: string, timeoutMs = VERSION_TIMEOUT_MS): Promise<{ version?: string; problem?: string }> {
  const result = await runProcess(binary, ['version'], { timeoutMs });
  if (result.spawnError) return { problem: `could not run it: ${result.spawnError.message}` };
  if (result.timedOut) return { problem: `\`version\` did not finish within ${formatDuration(timeoutMs)}` };
  const version = result.exitCode === 0 ? parseK6VersionOutput(result.output) : undefined;
  if (!version) {
    const said = result.output.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
    return { problem: `\`version\` exited ${result.exitCode ?? result.signal} and printed ${JSON.stringify(said)}` };
  }
  return { version };
}

/** Throws unless `binary` answers `version` with exactly `version`. */
export async function expectK6Version(binary: string, version: string, what: string, timeoutMs: number): Promise<void> {
  const probe = await probeK6Version(binary, timeoutMs);
  if (probe.version !== version) {
    throw new K6InstallError(
      `${what} ${probe.version ? `reports v${probe.version}` : `does not run: ${probe.problem}`}; expected v${version}`,
    );
  }
}
