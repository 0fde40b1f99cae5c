// Maps the machine k6-gate runs on to k6's release asset names, Go module paths and the places
// where installed tools are kept. Pure functions: the callers pass in platform, arch and environment.
import path from 'node:path';
import { ExpectedError } from '../errors.js';

export class K6InstallError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'K6InstallError';
  }
}

/** The platform part of k6's release file names. */
export type K6ReleasePlatform = 'linux-amd64' | 'linux-arm64' | 'macos-amd64' | 'macos-arm64' | 'windows-amd64';

export interface K6ReleaseAsset {
  platform: K6ReleasePlatform;
  /** File name, e.g. `k6-v2.2.0-linux-amd64.tar.gz`. */
  fileName: string;
  format: 'tar.gz' | 'zip';
  /** The folder at the top of the archive, e.g. `k6-v2.2.0-linux-amd64`. */
  topFolder: string;
  /** `k6` or `k6.exe`. */
  binaryName: string;
}

const RELEASE_PLATFORMS: ReadonlyArray<{ os: NodeJS.Platform; arch: string; platform: K6ReleasePlatform }> = [
  { os: 'linux', arch: 'x64', platform: 'linux-amd64' },
  { os: 'linux', arch: 'arm64', platform: 'linux-arm64' },
  { os: 'darwin', arch: 'x64', platform: 'macos-amd64' },
  { os: 'darwin', arch: 'arm64', platform: 'macos-arm64' },
  { os: 'win32', arch: 'x64', platform: 'windows-amd64' },
];

export function supportedReleasePlatforms(): string[] {
  return RELEASE_PLATFORMS.map((entry) => `${entry.os}/${entry.arch}`);
}

/** Node's platform/arch (`linux`/`x64`) → k6's release platform (`linux-amd64`). */
export function k6ReleasePlatform(platform: NodeJS.Platform, arch: string): K6ReleasePlatform {
  const match = RELEASE_PLATFORMS.find((entry) => entry.os === platform && entry.arch === arch);
  if (!match) {
    throw new K6InstallError(
      `k6 publishes no release archive for ${platform}/${arch}; supported: ${supportedReleasePlatforms().join(', ')}. ` +
        'On other platforms use k6-install: go (build from source) or k6-install: path (a k6 you installed)',
    );
  }
  return match.platform;
}

export function k6Tag(version: string): string {
  return `v${version}`;
}

export function k6ReleaseAsset(version: string, platform: NodeJS.Platform, arch: string): K6ReleaseAsset {
  const releasePlatform = k6ReleasePlatform(platform, arch);
  const format = releasePlatform.startsWith('linux-') ? 'tar.gz' : 'zip';
  const topFolder = `k6-${k6Tag(version)}-${releasePlatform}`;
  return {
    platform: releasePlatform,
    fileName: `${topFolder}.${format}`,
    format,
    topFolder,
    binaryName: platform === 'win32' ? 'k6.exe' : 'k6',
  };
}

export function k6ChecksumsFileName(version: string): string {
  return `k6-${k6Tag(version)}-checksums.txt`;
}

export const DEFAULT_K6_DOWNLOAD_URL = 'https://github.com/grafana/k6/releases/download/{tag}/{asset}';

/**
 * Fills a download URL template. `{version}` is X.Y.Z, `{tag}` is vX.Y.Z, `{asset}` the file name.
 * The template must name `{asset}`: the archive and its checksums file are found through it.
 */
export function expandDownloadUrl(template: string, version: string, asset: string): string {
  if (!template.includes('{asset}')) {
    throw new K6InstallError(
      `k6-download-url ${JSON.stringify(template)} has no {asset} placeholder; expected a template such as ` +
        `"https://mirror.example.com/k6/{tag}/{asset}" ({version} = X.Y.Z, {tag} = vX.Y.Z, {asset} = file name)`,
    );
  }
  const url = template.replaceAll('{version}', version).replaceAll('{tag}', k6Tag(version)).replaceAll('{asset}', asset);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new K6InstallError(
      `k6-download-url ${JSON.stringify(template)} does not make a URL (got ${JSON.stringify(url)}); expected an http(s) URL template`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new K6InstallError(
      `k6-download-url ${JSON.stringify(template)} uses ${parsed.protocol}; expected an http:// or https:// URL template`,
    );
  }
  return url;
}

/** A URL fit for logs: user info and query string (where tokens hide) are masked. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    if (parsed.search) parsed.search = '?***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The Go module that holds k6 at this version: `go.k6.io/k6` for v0/v1, `go.k6.io/k6/vN` from v2 on. */
export function k6ModulePath(version: string): string {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) {
    throw new K6InstallError(`cannot tell the major version of k6 ${JSON.stringify(version)}; expected X.Y.Z`);
  }
  return major >= 2 ? `go.k6.io/k6/v${major}` : 'go.k6.io/k6';
}

/** The go.mod of the throwaway module that `go build` compiles k6 through. */
export function k6BuildGoMod(version: string): string {
  return `module k6build\n\ngo 1.24\n\nrequire ${k6ModulePath(version)} ${k6Tag(version)}\n`;
}

export interface ToolCacheLocation {
  toolCacheDir: string;
  tempDir: string;
}

/**
 * Where tools are cached. On GitHub runners RUNNER_TOOL_CACHE/RUNNER_TEMP decide; elsewhere the
 * user's cache directory keeps installs across runs (a laptop, a GitLab runner with a cache volume).
 */
export function defaultToolCacheLocation(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  homeDir: string,
  systemTempDir: string,
): ToolCacheLocation {
  const runnerCache = env.RUNNER_TOOL_CACHE || undefined;
  if (runnerCache) {
    return { toolCacheDir: runnerCache, tempDir: env.RUNNER_TEMP || path.join(systemTempDir, 'k6-gate') };
  }
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  let root: string;
  if (platform === 'win32') {
    root = join(env.LOCALAPPDATA || join(homeDir, 'AppData', 'Local'), 'k6-gate');
  } else if (platform === 'darwin') {
    root = join(homeDir, 'Library', 'Caches', 'k6-gate');
  } else {
    const xdg = env.XDG_CACHE_HOME;
    // The XDG spec says a relative value is invalid and must be ignored.
    root = join(xdg && path.posix.isAbsolute(xdg) ? xdg : join(homeDir, '.cache'), 'k6-gate');
  }
  return { toolCacheDir: join(root, 'tool-cache'), tempDir: join(root, 'tmp') };
}

/** Parses `sha256sum` output (`<hex>  <file>` or `<hex> *<file>`) into file name → lower-case hash. */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (match) out.set(match[2], match[1].toLowerCase());
  }
  return out;
}

/**
 * `k6 v2.2.0 (go1.26.8, linux/amd64)` → `2.2.0`. k6 names itself by its file name, so a copy
 * called `k6-2.2.0` answers `k6-2.2.0 v2.2.0 (go1.26.8, linux/amd64)`: any first word is taken,
 * as long as the Go build note follows the version.
 */
export function parseK6VersionOutput(output: string): string | undefined {
  return /^\S+ v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?) \([^)]*\bgo\d/m.exec(output)?.[1];
}
