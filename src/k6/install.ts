// Installs the pinned k6: tool cache → (auto: k6 on PATH) → release archive verified against k6's
// checksums file → build from the Go module proxy. Every way ends with a binary whose `k6 version`
// was checked against the pin.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { lookup } from 'node:dns/promises';
import path from 'node:path';
import type { K6Options } from '../config.js';
import { parseK6Version } from '../config.js';
import type { Logger } from '../log.js';
import {
  DEFAULT_K6_DOWNLOAD_URL,
  K6InstallError,
  defaultToolCacheLocation,
  displayUrl,
  expandDownloadUrl,
  k6BuildGoMod,
  k6ChecksumsFileName,
  k6ModulePath,
  k6ReleaseAsset,
  parseChecksums,
  parseK6VersionOutput,
  type K6ReleasePlatform,
} from './system.js';
import type { ToolCache } from './tool-cache.js';
import { DownloadHttpError, ExtractError, createToolCache } from './tool-cache.js';
import { runProcess } from './process.js';
import { K6_RELEASE_SHA256 } from './release-checksums.js';
import { formatMs } from './run.js';

export { K6InstallError } from './system.js';

export interface InstalledK6 {
  /** Absolute path of the k6 binary. */
  path: string;
  /** X.Y.Z as reported by `k6 version`. */
  version: string;
  source: 'cache' | 'path' | 'release' | 'go' | 'explicit';
}

export interface InstallEnvironment {
  /** Tool cache root; default RUNNER_TOOL_CACHE, else the user's cache directory. */
  toolCacheDir?: string;
  /** Scratch space for downloads and builds; default RUNNER_TEMP, else next to the tool cache. */
  tempDir?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  /** The `go` to build with; default: found on PATH. */
  goBinary?: string;
  /** PATH to look for `k6` and `go` in; default process.env.PATH. */
  pathEnv?: string;
  /** Wait between download attempts; default 10–20 s (tests shorten it). */
  downloadRetryDelayMs?: number;
  /** A download attempt that receives nothing for this long fails; default 30 s (tests shorten it). */
  downloadIdleTimeoutMs?: number;
  /** All attempts at one file end within this; default 10 min. */
  downloadBudgetMs?: number;
  /** How long `k6 version` may take; default 30 s (tests shorten it). */
  versionTimeoutMs?: number;
  /** k6's release host as a download template; tests point it at a local stand-in. */
  releaseHost?: string;
  /** Recorded checksums per version and platform; default release-checksums.ts (tests pass their own). */
  knownChecksums?: typeof K6_RELEASE_SHA256;
}

const TOOL_NAME = 'k6';
const VERSION_TIMEOUT_MS = 30_000;
const GO_BUILD_TIMEOUT_MS = 30 * 60_000;
const GO_OUTPUT_TAIL_LINES = 25;

interface InstallContext {
  version: string;
  options: K6Options;
  log: Logger;
  platform: NodeJS.Platform;
  arch: string;
  binaryName: string;
  pathEnv: string;
  goBinary?: string;
  cache: ToolCache;
  versionTimeoutMs: number;
  /** The template of k6's own release host (DEFAULT_K6_DOWNLOAD_URL). */
  releaseHost: string;
  knownChecksums: typeof K6_RELEASE_SHA256;
}

export async function installK6(options: K6Options, log: Logger, env: InstallEnvironment = {}): Promise<InstalledK6> {
  const version = parseK6Version(options.version);
  const platform = env.platform ?? process.platform;
  const defaults = defaultToolCacheLocation(platform, process.env, os.homedir(), os.tmpdir());
  const location = {
    toolCacheDir: path.resolve(env.toolCacheDir ?? defaults.toolCacheDir),
    tempDir: path.resolve(env.tempDir ?? defaults.tempDir),
  };
  const versionTimeoutMs = env.versionTimeoutMs ?? VERSION_TIMEOUT_MS;
  if (options.install === 'path') return useExplicitBinary(options, version, log, location.toolCacheDir, versionTimeoutMs);
  if (options.downloadUrl !== undefined) {
    // A bad template is an input error: say so now, not after a cache miss.
    expandDownloadUrl(options.downloadUrl, version, k6ChecksumsFileName(version));
  }
  options = { ...options, sha256: parseK6Sha256(options.sha256) };
  const ctx: InstallContext = {
    version,
    options,
    log,
    platform,
    arch: env.arch ?? process.arch,
    binaryName: platform === 'win32' ? 'k6.exe' : 'k6',
    pathEnv: env.pathEnv ?? process.env.PATH ?? '',
    goBinary: env.goBinary,
    cache: createToolCache(location, log, {
      retryDelayMs: env.downloadRetryDelayMs,
      idleTimeoutMs: env.downloadIdleTimeoutMs,
      budgetMs: env.downloadBudgetMs,
      platform,
    }),
    versionTimeoutMs,
    releaseHost: env.releaseHost ?? DEFAULT_K6_DOWNLOAD_URL,
    knownChecksums: env.knownChecksums ?? K6_RELEASE_SHA256,
  };

  const cached = await findInCache(ctx);
  if (cached) return cached;
  switch (options.install) {
    case 'release':
      return installRelease(ctx);
    case 'go':
      return installWithGo(ctx, await requireGo(ctx));
    case 'auto':
      return installAuto(ctx);
    default:
      throw new K6InstallError(`unknown k6 install method ${JSON.stringify(options.install)}; expected auto, release, go or path`);
  }
}

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
async function rememberedVersion(binary: string, toolCacheDir: string, timeoutMs: number): Promise<{ version?: string; problem?: string }> {
  const memoDir = path.join(toolCacheDir, TOOL_NAME);
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

async function probeK6Version(binary: string, timeoutMs = VERSION_TIMEOUT_MS): Promise<{ version?: string; problem?: string }> {
  const result = await runProcess(binary, ['version'], { timeoutMs });
  if (result.spawnError) return { problem: `could not run it: ${result.spawnError.message}` };
  if (result.timedOut) return { problem: `\`version\` did not finish within ${formatMs(timeoutMs)}` };
  const version = result.exitCode === 0 ? parseK6VersionOutput(result.output) : undefined;
  if (!version) {
    const said = result.output.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
    return { problem: `\`version\` exited ${result.exitCode ?? result.signal} and printed ${JSON.stringify(said)}` };
  }
  return { version };
}

async function findInCache(ctx: InstallContext): Promise<InstalledK6 | undefined> {
  const dir = ctx.cache.find(TOOL_NAME, ctx.version, ctx.arch);
  if (!dir) {
    ctx.log.debug(`k6 v${ctx.version} (${ctx.arch}) is not in the tool cache ${ctx.cache.location.toolCacheDir}`);
    return undefined;
  }
  const binary = path.join(dir, ctx.binaryName);
  let problem: string | undefined;
  if (!(await isFile(binary))) {
    problem = `${binary} is missing`;
  } else {
    const probe = await rememberedVersion(binary, ctx.cache.location.toolCacheDir, ctx.versionTimeoutMs);
    if (probe.problem) problem = probe.problem;
    else if (probe.version !== ctx.version) problem = `it reports k6 v${probe.version}`;
  }
  if (problem) {
    ctx.log.warning(`the cached k6 v${ctx.version} at ${dir} is broken (${problem}); removing it and installing again`);
    await ctx.cache.remove(TOOL_NAME, ctx.version, ctx.arch);
    return undefined;
  }
  ctx.log.info(`k6 v${ctx.version} found in the tool cache at ${dir}`);
  return finish(ctx, dir, 'cache');
}

async function installAuto(ctx: InstallContext): Promise<InstalledK6> {
  const attempts: string[] = [`tool cache: no k6 v${ctx.version} in ${ctx.cache.location.toolCacheDir}`];

  const onPath = await findExecutable('k6', ctx.pathEnv, ctx.platform);
  if (onPath) {
    const probe = await probeK6Version(onPath, ctx.versionTimeoutMs);
    if (probe.version === ctx.version) {
      ctx.log.info(`using k6 v${probe.version} found on PATH at ${onPath}`);
      return { path: onPath, version: probe.version, source: 'path' };
    }
    const why = probe.version ? `is k6 v${probe.version}, not the pinned v${ctx.version}` : `did not report its version (${probe.problem})`;
    attempts.push(`PATH: ${onPath} ${why}`);
    ctx.log.info(`k6 on PATH (${onPath}) ${why}; trying a release download`);
  } else {
    attempts.push('PATH: no k6 on PATH');
    ctx.log.info('no k6 on PATH; trying a release download');
  }

  try {
    return await installRelease(ctx);
  } catch (error) {
    const reason = messageOf(error);
    attempts.push(`release: ${reason}`);
    const go = await findGo(ctx);
    if (!go.binary) {
      attempts.push(`go: ${go.problem}`);
      ctx.log.info(`release download failed: ${reason}; cannot build with go either: ${go.problem}`);
    } else {
      ctx.log.info(`release download failed: ${reason}; trying go`);
      try {
        return await installWithGo(ctx, go.binary);
      } catch (goError) {
        attempts.push(`go: ${messageOf(goError)}`);
      }
    }
  }
  throw new K6InstallError(`could not install k6 v${ctx.version}; tried, in order:\n${attempts.map((line) => `  - ${line}`).join('\n')}`);
}

async function installRelease(ctx: InstallContext): Promise<InstalledK6> {
  const asset = k6ReleaseAsset(ctx.version, ctx.platform, ctx.arch);
  const template = ctx.options.downloadUrl ?? DEFAULT_K6_DOWNLOAD_URL;
  const archiveUrl = expandDownloadUrl(template, ctx.version, asset.fileName);

  const work = await makeWorkDir(ctx, 'k6-release-');
  try {
    // From k6's release host the checksums come first (a version that does not exist costs no
    // archive download); from a mirror the archive does (a mirror without it is the first thing to say).
    const fromMirror = template !== ctx.releaseHost;
    const early = fromMirror ? undefined : await expectedSha256(ctx, asset.platform, asset.fileName, work);
    ctx.log.info(`downloading k6 v${ctx.version} (${asset.fileName}) from ${displayUrl(archiveUrl)}`);
    await assertHostResolves(archiveUrl);
    const archive = await download(ctx, archiveUrl, path.join(work, asset.fileName), `archive ${asset.fileName}`);
    const expected = early ?? (await expectedSha256(ctx, asset.platform, asset.fileName, work));
    const actual = await sha256File(archive);
    if (actual !== expected.hash) {
      const size = (await stat(archive)).size;
      throw new K6InstallError(
        `SHA-256 mismatch for ${asset.fileName} from ${displayUrl(archiveUrl)}: expected ${expected.hash} (${expected.from}), ` +
          `got ${actual} over ${size} bytes. The download is truncated or not the published file; nothing was extracted`,
      );
    }
    ctx.log.info(`SHA-256 of ${asset.fileName} matches ${expected.from} (${actual})`);

    let extracted: string;
    try {
      extracted = await ctx.cache.extract(archive, asset.format, path.join(work, 'extracted'));
    } catch (error) {
      const detail = error instanceof ExtractError && error.output ? `${error.message}: ${error.output}` : messageOf(error);
      throw new K6InstallError(
        `could not extract ${asset.fileName} (its checksum matched ${expected.from}, so the archive at ${displayUrl(archiveUrl)} is itself damaged ` +
          `or not a ${asset.format} file): ${detail}`,
        { cause: error },
      );
    }
    const folder = path.join(extracted, asset.topFolder);
    const binary = path.join(folder, asset.binaryName);
    if (!(await isFile(binary))) {
      const found = await readdir(extracted).catch(() => []);
      throw new K6InstallError(
        `${asset.fileName} has no ${asset.topFolder}/${asset.binaryName}; it holds ${found.length ? found.join(', ') : 'nothing'}. Expected the layout of k6's release archives`,
      );
    }
    await expectVersion(ctx, binary, `the k6 in ${asset.fileName}`);
    const dir = await ctx.cache.cacheDir(folder, TOOL_NAME, ctx.version, ctx.arch);
    ctx.log.info(`k6 v${ctx.version} installed into the tool cache at ${dir}`);
    return finish(ctx, dir, 'release');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The SHA-256 the archive must have, and where it comes from. Never from the place the archive
 * comes from, unless that is k6's own release host: a mirror that replaced the archive could
 * replace its checksums file too. In order: the user's `k6-sha256`; k6-gate's record of the
 * published checksums (release-checksums.ts); the checksums file on k6's release host.
 */
async function expectedSha256(
  ctx: InstallContext,
  platform: K6ReleasePlatform,
  fileName: string,
  work: string,
): Promise<{ hash: string; from: string }> {
  if (ctx.options.sha256) return { hash: ctx.options.sha256, from: 'k6-sha256' };
  const known = ctx.knownChecksums[ctx.version]?.[platform];
  if (known) return { hash: known, from: `k6-gate's record of k6 v${ctx.version}'s published checksums` };
  const checksumsName = k6ChecksumsFileName(ctx.version);
  const checksumsUrl = expandDownloadUrl(ctx.releaseHost, ctx.version, checksumsName);
  const mirror = (ctx.options.downloadUrl ?? ctx.releaseHost) !== ctx.releaseHost;
  const unverifiable = (why: string) =>
    `k6 v${ctx.version} cannot be verified: k6-gate has no record of its checksums and ${why}. ` +
    `Set k6-sha256 to the SHA-256 of ${fileName} from ${checksumsName} on k6's release page, or use k6-install: go`;
  if (mirror) ctx.log.info(`the checksums file comes from k6's release host (${displayUrl(checksumsUrl)}), never from the mirror`);
  try {
    await assertHostResolves(checksumsUrl);
  } catch (error) {
    if (!mirror) throw error;
    throw new K6InstallError(unverifiable(`${messageOf(error).split(':')[0]}, where its checksums file is published`), { cause: error });
  }
  let text: string;
  try {
    text = await readFile(await download(ctx, checksumsUrl, path.join(work, checksumsName), `checksums file ${checksumsName}`), 'utf8');
  } catch (error) {
    if (!mirror) throw error;
    throw new K6InstallError(unverifiable(`its checksums file could not be fetched from k6's release host: ${messageOf(error)}`), {
      cause: error,
    });
  }
  const hash = parseChecksums(text).get(fileName);
  if (!hash) {
    throw new K6InstallError(
      `${checksumsName} from ${displayUrl(checksumsUrl)} lists no SHA-256 for ${fileName}, so the archive cannot be verified; ` +
        `expected a line "<sha256>  ${fileName}"`,
    );
  }
  return { hash, from: `${checksumsName} from k6's release host` };
}

/** `k6-sha256`: 64 hex digits, any case; undefined when not set. */
export function parseK6Sha256(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const hash = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new K6InstallError(
      `k6-sha256 ${JSON.stringify(value.slice(0, 80))} is not a SHA-256; expected 64 hex digits, the line for your platform's archive in k6-vX.Y.Z-checksums.txt`,
    );
  }
  return hash;
}

/**
 * A host name that does not resolve will not resolve on a retry either: fail at once instead of
 * sitting through the download retries (about 30 s) before `auto` moves on to building with Go.
 */
async function assertHostResolves(url: string): Promise<void> {
  const host = new URL(url).hostname;
  try {
    await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
      throw new K6InstallError(
        `cannot resolve ${host} (${code}): the release host is not reachable from here; set k6-download-url to a mirror, or use k6-install: go`,
        {
          cause: error,
        },
      );
    }
  }
}

async function download(ctx: InstallContext, url: string, dest: string, what: string): Promise<string> {
  try {
    return await ctx.cache.download(url, dest);
  } catch (error) {
    if (error instanceof DownloadHttpError && error.statusCode === 404) {
      throw new K6InstallError(
        `k6 v${ctx.version} ${what} does not exist at ${displayUrl(url)} (HTTP 404); check that k6-version names a published k6 release` +
          (ctx.options.downloadUrl ? ' and that the mirror in k6-download-url holds it' : ''),
        { cause: error },
      );
    }
    if (error instanceof DownloadHttpError) {
      throw new K6InstallError(`downloading the ${what} from ${displayUrl(url)} failed with HTTP ${error.statusCode}`, { cause: error });
    }
    const reason = messageOf(error);
    // The tool cache has already retried network failures by now.
    const hint = /aborted|premature close|ECONNRESET/i.test(reason)
      ? ' (the connection closed before the whole file arrived, on every attempt)'
      : '';
    throw new K6InstallError(`downloading the ${what} from ${displayUrl(url)} failed: ${reason}${hint}`, { cause: error });
  }
}

async function installWithGo(ctx: InstallContext, goBinary: string): Promise<InstalledK6> {
  const modulePath = k6ModulePath(ctx.version);
  ctx.log.info(
    `building k6 v${ctx.version} from the Go module proxy (${modulePath}@v${ctx.version}) with ${goBinary}; this takes a few minutes the first time`,
  );
  const work = await makeWorkDir(ctx, 'k6-go-build-');
  try {
    // A throwaway module that requires k6 makes `go build` work for every major version; `go install
    // module@version` fails for v2 on proxies that have no list for the /v2 path.
    await writeFile(path.join(work, 'go.mod'), k6BuildGoMod(ctx.version));
    const output = path.join(work, 'bin', ctx.binaryName);
    const started = Date.now();
    const result = await runProcess(goBinary, ['build', '-o', output, modulePath], {
      cwd: work,
      env: { ...process.env, GOFLAGS: goFlags(process.env.GOFLAGS), GOWORK: 'off' },
      timeoutMs: GO_BUILD_TIMEOUT_MS,
      onLine: (line: string) => ctx.log.debug(`go: ${line}`),
    });
    if (result.spawnError)
      throw new K6InstallError(`could not run ${goBinary}: ${result.spawnError.message}`, { cause: result.spawnError });
    if (result.timedOut || result.exitCode !== 0) {
      const tail = result.output.trim().split(/\r?\n/).slice(-GO_OUTPUT_TAIL_LINES).join('\n');
      const how = result.timedOut
        ? `did not finish within ${GO_BUILD_TIMEOUT_MS / 60_000} minutes`
        : `exited ${result.exitCode ?? result.signal}`;
      throw new K6InstallError(`go build of ${modulePath}@v${ctx.version} ${how}; last output:\n${tail || '(none)'}`);
    }
    ctx.log.info(`built k6 v${ctx.version} in ${Math.round((Date.now() - started) / 1000)}s`);
    await expectVersion(ctx, output, 'the k6 built with go');
    const dir = await ctx.cache.cacheFile(output, ctx.binaryName, TOOL_NAME, ctx.version, ctx.arch);
    ctx.log.info(`k6 v${ctx.version} installed into the tool cache at ${dir}`);
    return finish(ctx, dir, 'go');
  } finally {
    // The module cache keeps read-only files, but those live in GOMODCACHE, not here.
    await rm(work, { recursive: true, force: true });
  }
}

/** The user's GOFLAGS with -mod replaced: the throwaway module needs go.mod/go.sum filled in. */
function goFlags(existing: string | undefined): string {
  const kept = (existing ?? '').split(/\s+/).filter((flag) => flag !== '' && !/^--?mod=/.test(flag) && !/^--?buildvcs=/.test(flag));
  // The scratch module has no VCS to stamp; a tempDir inside a checkout would otherwise need git.
  return [...kept, '-mod=mod', '-buildvcs=false'].join(' ');
}

async function requireGo(ctx: InstallContext): Promise<string> {
  const go = await findGo(ctx);
  if (!go.binary) throw new K6InstallError(`k6-install: go needs a Go toolchain: ${go.problem}`);
  return go.binary;
}

async function findGo(ctx: InstallContext): Promise<{ binary?: string; problem?: string }> {
  if (ctx.goBinary) {
    return (await isExecutable(ctx.goBinary, ctx.platform))
      ? { binary: path.resolve(ctx.goBinary) }
      : { problem: `the go binary ${ctx.goBinary} does not exist or is not executable` };
  }
  const found = await findExecutable('go', ctx.pathEnv, ctx.platform);
  return found ? { binary: found } : { problem: 'no `go` binary on PATH (install Go ≥ 1.24, e.g. with actions/setup-go)' };
}

async function useExplicitBinary(
  options: K6Options,
  version: string,
  log: Logger,
  toolCacheDir: string,
  versionTimeoutMs: number,
): Promise<InstalledK6> {
  if (!options.path) {
    throw new K6InstallError('k6-install: path needs k6-path, the path of a k6 binary, and none was given');
  }
  const binary = path.resolve(options.path);
  const info = await stat(binary).catch(() => undefined);
  if (!info) throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} does not exist (looked at ${binary})`);
  if (info.isDirectory())
    throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} is a directory; expected the k6 executable itself`);
  if (!(await isExecutable(binary, process.platform))) {
    throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} is not executable; expected an executable file (chmod +x)`);
  }
  const probe = await rememberedVersion(binary, toolCacheDir, versionTimeoutMs);
  if (!probe.version) {
    throw new K6InstallError(`${JSON.stringify(options.path)} does not answer \`version\` like k6 does: ${probe.problem}`);
  }
  log.info(`using k6 v${probe.version} at ${binary}`);
  if (probe.version !== version) {
    log.warning(`${binary} is k6 v${probe.version}, but k6-version pins v${version}; using it anyway because k6-install is path`);
  }
  return { path: binary, version: probe.version, source: 'explicit' };
}

function finish(ctx: InstallContext, dir: string, source: InstalledK6['source']): InstalledK6 {
  if (ctx.cache.addPathOnGitHub(dir)) ctx.log.debug(`added ${dir} to PATH for later steps`);
  return { path: path.join(dir, ctx.binaryName), version: ctx.version, source };
}

async function expectVersion(ctx: InstallContext, binary: string, what: string): Promise<void> {
  const version = ctx.version;
  const probe = await probeK6Version(binary, ctx.versionTimeoutMs);
  if (probe.version !== version) {
    throw new K6InstallError(
      `${what} ${probe.version ? `reports v${probe.version}` : `does not run: ${probe.problem}`}; expected v${version}`,
    );
  }
}

async function makeWorkDir(ctx: InstallContext, prefix: string): Promise<string> {
  await mkdir(ctx.cache.location.tempDir, { recursive: true });
  return mkdtemp(path.join(ctx.cache.location.tempDir, prefix));
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  if (!(await isFile(file))) return false;
  if (platform === 'win32') return true;
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The first executable `name` on a PATH string, like `which`. */
export async function findExecutable(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  const delimiter = platform === 'win32' ? ';' : ':';
  const extensions = platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = path.resolve(dir, name + extension);
      if (await isExecutable(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
