// The release method: k6's own archive for this machine, from k6's release host or a mirror, checked
// against the SHA-256 k6 published for it before anything is extracted. The expected value never
// comes from the place the archive came from, unless that is k6's release host (docs/install.md).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { K6Options } from '../config.js';
import type { Logger } from '../log.js';
import { expectK6Version } from './k6-version.js';
import type { K6_RELEASE_SHA256 } from './release-checksums.js';
import {
  DEFAULT_K6_DOWNLOAD_URL,
  K6InstallError,
  displayUrl,
  expandDownloadUrl,
  k6ChecksumsFileName,
  k6ReleaseAsset,
  parseChecksums,
  type K6ReleasePlatform,
} from './system.js';
import { DownloadHttpError, ExtractError, type ToolCache } from './tool-cache.js';

/** What the release method needs of an install. */
export interface ReleaseContext {
  version: string;
  options: K6Options;
  log: Logger;
  platform: NodeJS.Platform;
  arch: string;
  cache: ToolCache;
  versionTimeoutMs: number;
  /** The template of k6's own release host (DEFAULT_K6_DOWNLOAD_URL). */
  releaseHost: string;
  knownChecksums: typeof K6_RELEASE_SHA256;
}

/** Downloads, verifies and unpacks the release archive into the tool cache; returns the cached folder. */
export async function installReleaseArchive(ctx: ReleaseContext): Promise<string> {
  const asset = k6ReleaseAsset(ctx.version, ctx.platform, ctx.arch);
  const template = ctx.options.downloadUrl ?? DEFAULT_K6_DOWNLOAD_URL;
  const archiveUrl = expandDownloadUrl(template, ctx.version, asset.fileName);

  const work = await ctx.cache.makeWorkDir('k6-release-');
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
    if (
      !(await stat(binary).then(
        (info) => info.isFile(),
        () => false,
      ))
    ) {
      const found = await readdir(extracted).catch(() => []);
      throw new K6InstallError(
        `${asset.fileName} has no ${asset.topFolder}/${asset.binaryName}; it holds ${found.length ? found.join(', ') : 'nothing'}. Expected the layout of k6's release archives`,
      );
    }
    await expectK6Version(binary, ctx.version, `the k6 in ${asset.fileName}`, ctx.versionTimeoutMs);
    const dir = await ctx.cache.cacheDir(folder, 'k6', ctx.version, ctx.arch);
    ctx.log.info(`k6 v${ctx.version} installed into the tool cache at ${dir}`);
    return dir;
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
  ctx: ReleaseContext,
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

async function download(ctx: ReleaseContext, url: string, dest: string, what: string): Promise<string> {
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

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
