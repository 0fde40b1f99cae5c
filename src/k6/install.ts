// Installs the pinned k6: tool cache → (auto: k6 on PATH) → release archive verified against the
// SHA-256 k6 published for it (release.ts) → build from the Go module proxy. Every way ends with a
// binary whose `k6 version` was checked against the pin (k6-version.ts).
import { access, constants, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { K6Options } from '../config.js';
import { parseK6Version } from '../config.js';
import type { Logger } from '../log.js';
import {
  DEFAULT_K6_DOWNLOAD_URL,
  K6InstallError,
  defaultToolCacheLocation,
  expandDownloadUrl,
  k6BuildGoMod,
  k6ChecksumsFileName,
  k6ModulePath,
} from './system.js';
import { createToolCache } from './tool-cache.js';
import { runProcess } from './process.js';
import { VERSION_TIMEOUT_MS, expectK6Version, probeK6Version, rememberedVersion } from './k6-version.js';
import { installReleaseArchive, parseK6Sha256, type ReleaseContext } from './release.js';
import { K6_RELEASE_SHA256 } from './release-checksums.js';

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
const GO_BUILD_TIMEOUT_MS = 30 * 60_000;
const GO_OUTPUT_TAIL_LINES = 25;

interface InstallContext extends ReleaseContext {
  binaryName: string;
  pathEnv: string;
  goBinary?: string;
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
      return finish(ctx, await installReleaseArchive(ctx), 'release');
    case 'go':
      return installWithGo(ctx, await requireGo(ctx));
    case 'auto':
      return installAuto(ctx);
    default:
      throw new K6InstallError(`unknown k6 install method ${JSON.stringify(options.install)}; expected auto, release, go or path`);
  }
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
    return finish(ctx, await installReleaseArchive(ctx), 'release');
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

async function installWithGo(ctx: InstallContext, goBinary: string): Promise<InstalledK6> {
  const modulePath = k6ModulePath(ctx.version);
  ctx.log.info(
    `building k6 v${ctx.version} from the Go module proxy (${modulePath}@v${ctx.version}) with ${goBinary}; this takes a few minutes the first time`,
  );
  const work = await ctx.cache.makeWorkDir('k6-go-build-');
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
    await expectK6Version(output, ctx.version, 'the k6 built with go', ctx.versionTimeoutMs);
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
