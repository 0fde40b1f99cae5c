// The installer against a local mirror that serves release-shaped archives holding the real k6.
import { existsSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { K6Options } from '../../src/config.js';
import { ConfigError, DEFAULT_K6_VERSION } from '../../src/config.js';
import { K6_RELEASE_SHA256 } from '../../src/k6/release-checksums.js';
import type { Logger } from '../../src/log.js';
import { K6InstallError, findExecutable, installK6 } from '../../src/k6/install.js';
import { readK6Version } from '../../src/k6/k6-version.js';
import type { InstallEnvironment } from '../../src/k6/install.js';
import { testK6Path } from '../helpers/k6.js';
import { stopsWithin } from '../helpers/processes.js';
import {
  buildReleaseArchive,
  checksumsFor,
  releaseFiles,
  releaseRoutes,
  runTool,
  sha256,
  startMirror,
  type Mirror,
  type Route,
} from '../helpers/k6-release.js';

const VERSION = '2.2.0';
const { asset: ASSET, checksums: CHECKSUMS } = releaseFiles(VERSION);

interface RecordingLogger extends Logger {
  lines: { level: 'info' | 'warning' | 'error' | 'debug'; message: string }[];
  text(level: 'info' | 'warning' | 'error' | 'debug'): string;
}

function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    text: (level) =>
      lines
        .filter((line) => line.level === level)
        .map((line) => line.message)
        .join('\n'),
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    error: (message) => lines.push({ level: 'error', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
    group: (_title, fn) => fn(),
    addSecret: () => undefined,
  };
}

let scratch: string;
let k6Binary: string;
let archive: Buffer;
let emptyDir: string;

beforeAll(async () => {
  k6Binary = testK6Path();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-install-test-'));
  emptyDir = path.join(scratch, 'empty');
  await mkdir(emptyDir);
  archive = await buildReleaseArchive(k6Binary, VERSION, scratch);
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

let caseDir: string;
let env: InstallEnvironment;
let mirror: Mirror | undefined;
// When these tests themselves run on GitHub Actions, installs must not touch the real job's PATH file.
const runnerVariables = ['GITHUB_ACTIONS', 'GITHUB_PATH'] as const;
const savedRunnerVariables = Object.fromEntries(runnerVariables.map((key) => [key, process.env[key]]));

beforeEach(async () => {
  for (const key of runnerVariables) delete process.env[key];
  caseDir = await mkdtemp(path.join(scratch, 'case-'));
  env = {
    toolCacheDir: path.join(caseDir, 'tool-cache'),
    tempDir: path.join(caseDir, 'tmp'),
    platform: 'linux',
    arch: 'x64',
    pathEnv: emptyDir,
    // The archives here are built from the test's k6, not k6's published ones: unless a test says
    // otherwise, the checksums come from the stand-in release host (startReleaseHost).
    knownChecksums: {},
  };
});

afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
  for (const key of runnerVariables) {
    if (savedRunnerVariables[key] === undefined) delete process.env[key];
    else process.env[key] = savedRunnerVariables[key];
  }
});

/** A local stand-in for k6's release host: its checksums file counts as the published one. */
async function startReleaseHost(routes: Record<string, Route>): Promise<Mirror> {
  const host = await startMirror(routes);
  env.releaseHost = host.template('mirror');
  return host;
}

/** The usual mirror: the archive plus a checksums file that also lists the other platforms. */
const goodRoutes = (prefix: string) => releaseRoutes(prefix, VERSION, archive);

function releaseOptions(template: string, overrides: Partial<K6Options> = {}): K6Options {
  return { version: VERSION, install: 'release', downloadUrl: template, ...overrides };
}

async function installError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the install to fail, and it succeeded');
}

const cachedBinary = () => path.join(env.toolCacheDir!, 'k6', VERSION, 'x64', 'k6');

describe('release method', () => {
  it('downloads, verifies, extracts and caches k6; the next install is a cache hit with the mirror stopped', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const log = recordingLogger();
    const started = Date.now();
    const installed = await installK6(releaseOptions(mirror.template('mirror')), log, env);
    const coldMs = Date.now() - started;

    expect(installed).toEqual({ path: cachedBinary(), version: VERSION, source: 'release' });
    expect(await readK6Version(installed.path)).toBe(VERSION);
    expect(log.text('info')).toContain(`SHA-256 of ${ASSET} matches ${CHECKSUMS} from k6's release host (${sha256(archive)})`);
    expect(log.text('debug')).toMatch(/running tar -xzf .*k6-v2\.2\.0-linux-amd64\.tar\.gz/);
    expect(mirror.requests).toEqual([`/mirror/v${VERSION}/${CHECKSUMS}`, `/mirror/v${VERSION}/${ASSET}`]);
    // Downloads and the extracted copy are scratch: nothing is left behind in the temp dir.
    expect(await readdir(env.tempDir!)).toEqual([]);

    await mirror.close();
    mirror = undefined;
    const again = recordingLogger();
    const warmStarted = Date.now();
    // auto with the real k6 on PATH: the tool cache still comes first.
    const cached = await installK6({ version: VERSION, install: 'auto', downloadUrl: 'http://127.0.0.1:9/{tag}/{asset}' }, again, {
      ...env,
      pathEnv: path.dirname(k6Binary),
    });
    const warmMs = Date.now() - warmStarted;
    expect(cached).toEqual({ path: cachedBinary(), version: VERSION, source: 'cache' });
    expect(again.text('info')).toContain(`k6 v${VERSION} found in the tool cache`);
    console.info(`release install: cold ${coldMs} ms, warm (cache hit) ${warmMs} ms`);
  });

  it('refuses an archive whose SHA-256 differs from the checksums file, before extracting it', async () => {
    const otherHash = sha256(Buffer.from('some other archive'));
    mirror = await startReleaseHost({
      [`/mirror/v${VERSION}/${ASSET}`]: archive,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: otherHash }),
    });
    const log = recordingLogger();
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), log, env));
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toContain(`SHA-256 mismatch for ${ASSET}`);
    expect(error.message).toContain(`expected ${otherHash}`);
    expect(error.message).toContain(`got ${sha256(archive)}`);
    expect(error.message).toContain('nothing was extracted');
    expect(log.text('debug')).not.toMatch(/\[command\].*tar/);
    expect(existsSync(path.join(env.toolCacheDir!, 'k6'))).toBe(false);
  });

  it('catches a truncated archive by its checksum', async () => {
    const truncated = archive.subarray(0, Math.floor(archive.length / 2));
    mirror = await startReleaseHost({
      [`/mirror/v${VERSION}/${ASSET}`]: truncated,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: archive }),
    });
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), env));
    expect(error.message).toContain(`SHA-256 mismatch for ${ASSET}`);
    expect(error.message).toContain(`over ${truncated.length} bytes`);
    expect(error.message).toContain('truncated');
    expect(existsSync(cachedBinary())).toBe(false);
  });

  describe('a connection that drops mid-download', () => {
    it('is retried, then reported with the URL', async () => {
      mirror = await startReleaseHost({
        [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: archive }),
        [`/mirror/v${VERSION}/${ASSET}`]: (_req, res) => {
          res.writeHead(200, { 'content-length': archive.length });
          res.write(archive.subarray(0, 1024 * 1024), () => res.destroy());
        },
      });
      const template = mirror.template('mirror');
      const error = await installError(installK6(releaseOptions(template), recordingLogger(), { ...env, downloadRetryDelayMs: 0 }));
      expect(error).toBeInstanceOf(K6InstallError);
      expect(error.message).toContain(
        `downloading the archive ${ASSET} from ${template.replace('{tag}', `v${VERSION}`).replace('{asset}', ASSET)} failed`,
      );
      expect(error.message).toContain('the connection closed before the whole file arrived');
      expect(mirror.requests.filter((url) => url.endsWith(ASSET))).toHaveLength(3);
      expect(existsSync(cachedBinary())).toBe(false);
    });
  });

  describe('a mirror that never answers', () => {
    it('each attempt ends after the idle time, the retries run, and the error says so', async () => {
      // Accepts every connection and stays silent.
      const connections: Socket[] = [];
      const silent = net.createServer((socket) => connections.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const started = Date.now();
        const error = await installError(
          installK6(releaseOptions(`http://127.0.0.1:${port}/{tag}/{asset}`, { sha256: sha256(archive) }), recordingLogger(), {
            ...env,
            downloadRetryDelayMs: 0,
            downloadIdleTimeoutMs: 1000,
          }),
        );
        const tookMs = Date.now() - started;
        expect(error).toBeInstanceOf(K6InstallError);
        expect(error.message).toMatch(
          /^downloading the archive k6-v2\.2\.0-linux-amd64\.tar\.gz from .* failed: no answer within 1 s \(3 attempts\)/,
        );
        expect(connections).toHaveLength(3);
        // Three attempts of 1 s each, not the 3 minutes a silent socket used to get.
        expect(tookMs).toBeLessThan(20_000);
      } finally {
        for (const socket of connections) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('a body that trickles in stops at the download budget', async () => {
      mirror = await startReleaseHost({
        [`/mirror/v${VERSION}/${ASSET}`]: (_req, res) => {
          res.writeHead(200, { 'content-length': archive.length });
          const drip = setInterval(() => res.write(archive.subarray(0, 16)), 100);
          res.on('close', () => clearInterval(drip));
        },
      });
      const started = Date.now();
      const error = await installError(
        installK6(releaseOptions(mirror.template('mirror'), { sha256: sha256(archive) }), recordingLogger(), {
          ...env,
          downloadRetryDelayMs: 0,
          downloadBudgetMs: 2000,
        }),
      );
      expect(error.message).toMatch(/failed: not finished within 2 s/);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  it('reports a version that does not exist (404) with the URL it tried', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const error = await installError(installK6(releaseOptions(mirror.template('mirror'), { version: '9.9.9' }), recordingLogger(), env));
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toMatch(
      /^k6 v9\.9\.9 checksums file k6-v9\.9\.9-checksums\.txt does not exist at http:\/\/127\.0\.0\.1:\d+\/mirror\/v9\.9\.9\/k6-v9\.9\.9-checksums\.txt \(HTTP 404\)/,
    );
    expect(error.message).toContain('k6-download-url');
  });

  it('fails at once, without download retries, when the release host does not resolve', async () => {
    const started = Date.now();
    const host = 'https://k6-mirror.invalid/{tag}/{asset}';
    const error = await installError(installK6(releaseOptions(host), recordingLogger(), { ...env, releaseHost: host }));
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toMatch(
      /^cannot resolve k6-mirror\.invalid \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\): the release host is not reachable from here/,
    );
    expect(error.message).toContain('k6-install: go');
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('reports a platform archive missing from the mirror (404)', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), { ...env, arch: 'arm64' }));
    expect(error.message).toContain(`k6 v${VERSION} archive k6-v${VERSION}-linux-arm64.tar.gz does not exist at`);
    expect(error.message).toContain('(HTTP 404)');
  });

  it('refuses to install when the checksums file does not list the archive', async () => {
    mirror = await startReleaseHost({
      [`/mirror/v${VERSION}/${ASSET}`]: archive,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [`k6-v${VERSION}-macos-arm64.zip`]: 'd'.repeat(64) }),
    });
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), env));
    expect(error.message).toContain(`${CHECKSUMS} from`);
    expect(error.message).toContain(`lists no SHA-256 for ${ASSET}`);
    expect(mirror.requests.some((url) => url.endsWith(ASSET))).toBe(false);
  });

  it('fails at extraction, with tar’s reason, when an archive matching its checksum is corrupt', async () => {
    const corrupt = Buffer.from(archive);
    corrupt.fill(0, Math.floor(corrupt.length / 3), Math.floor(corrupt.length / 3) + 64 * 1024);
    mirror = await startReleaseHost({
      [`/mirror/v${VERSION}/${ASSET}`]: corrupt,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: corrupt }),
    });
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), env));
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toContain(`could not extract ${ASSET} (its checksum matched ${CHECKSUMS}`);
    expect(error.message).toMatch(/gzip|tar/);
    expect(existsSync(cachedBinary())).toBe(false);
  });

  it('refuses an archive that is not laid out like a k6 release', async () => {
    const staging = path.join(caseDir, 'wrong');
    await mkdir(path.join(staging, 'k6'), { recursive: true });
    await writeFile(path.join(staging, 'k6', 'README.md'), 'no binary here\n');
    const tarPath = path.join(caseDir, 'wrong.tar.gz');
    await runTool('tar', ['-czf', tarPath, '-C', staging, 'k6']);
    const wrong = await readFile(tarPath);
    mirror = await startReleaseHost({
      [`/mirror/v${VERSION}/${ASSET}`]: wrong,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: wrong }),
    });
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), env));
    expect(error.message).toBe(`${ASSET} has no k6-v${VERSION}-linux-amd64/k6; it holds k6. Expected the layout of k6's release archives`);
  });

  it.each([
    ['overwritten', async (binary: string) => writeFile(binary, 'not a program\n', { mode: 0o755 }), /is broken \(`version` exited \d+/],
    ['deleted', async (binary: string) => rm(binary), /is broken \(.*k6 is missing\)/],
  ])('replaces a cached k6 that was %s, with a warning', async (_how, damage, reason) => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const options = releaseOptions(mirror.template('mirror'));
    await installK6(options, recordingLogger(), env);
    await damage(cachedBinary());

    const log = recordingLogger();
    const installed = await installK6(options, log, env);
    expect(log.text('warning')).toMatch(reason);
    expect(log.text('warning')).toContain('removing it and installing again');
    expect(installed.source).toBe('release');
    expect(await readK6Version(installed.path)).toBe(VERSION);
    expect(mirror.requests.filter((url) => url.endsWith(ASSET))).toHaveLength(2);
  });

  it('on GitHub Actions adds the k6 folder to PATH through GITHUB_PATH', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const githubPath = path.join(caseDir, 'github_path');
    await writeFile(githubPath, '');
    const savedPath = process.env.PATH;
    process.env.GITHUB_PATH = githubPath;
    try {
      const installed = await installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), env);
      expect((await readFile(githubPath, 'utf8')).trim()).toBe(path.dirname(installed.path));
      expect(process.env.PATH?.split(path.delimiter)[0]).toBe(path.dirname(installed.path));
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('outside GitHub Actions keeps stdout clean (tool-cache chatter goes to the debug log)', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    }) as typeof process.stdout.write;
    const log = recordingLogger();
    try {
      await installK6(releaseOptions(mirror.template('mirror')), log, env);
    } finally {
      process.stdout.write = original;
    }
    expect(written.join('')).toBe('');
    expect(log.text('debug')).toContain('Downloading http://127.0.0.1:');
  });

  it('names the platform and the supported ones when k6 publishes no archive for it', async () => {
    const error = await installError(
      installK6({ version: VERSION, install: 'release' }, recordingLogger(), { ...env, platform: 'freebsd', arch: 'x64' }),
    );
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toContain(
      'k6 publishes no release archive for freebsd/x64; supported: linux/x64, linux/arm64, darwin/x64, darwin/arm64, win32/x64',
    );
  });
});

describe('where the checksum comes from (a mirror cannot vouch for itself)', () => {
  it('refuses a replaced archive from a mirror whose checksums file matches it: the SHA-256 is k6-gate’s record of the release', async () => {
    // The archive is not k6's published one; the mirror's own checksums file agrees with it.
    mirror = await startMirror({
      [`/mirror/v${VERSION}/${ASSET}`]: archive,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: archive }),
    });
    const error = await installError(
      installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), { ...env, knownChecksums: undefined }),
    );
    expect(error).toBeInstanceOf(K6InstallError);
    expect(error.message).toContain(
      `SHA-256 mismatch for ${ASSET} from ${mirror.template('mirror').replace('{tag}', `v${VERSION}`).replace('{asset}', ASSET)}: ` +
        `expected ${K6_RELEASE_SHA256[VERSION]['linux-amd64']} (k6-gate's record of k6 v${VERSION}'s published checksums), got ${sha256(archive)}`,
    );
    expect(error.message).toContain('nothing was extracted');
    // The mirror's checksums file is never asked for.
    expect(mirror.requests).toEqual([`/mirror/v${VERSION}/${ASSET}`]);
    expect(existsSync(path.join(env.toolCacheDir!, 'k6'))).toBe(false);
  });

  it('without a record, takes the checksums file from k6’s release host, never from the mirror', async () => {
    mirror = await startMirror({
      [`/mirror/v${VERSION}/${ASSET}`]: archive,
      [`/mirror/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: archive }),
    });
    const release = await startMirror({ [`/release/v${VERSION}/${CHECKSUMS}`]: checksumsFor({ [ASSET]: 'e'.repeat(64) }) });
    try {
      const log = recordingLogger();
      const error = await installError(
        installK6(releaseOptions(mirror.template('mirror')), log, { ...env, releaseHost: release.template('release') }),
      );
      expect(error.message).toContain(`expected ${'e'.repeat(64)} (${CHECKSUMS} from k6's release host), got ${sha256(archive)}`);
      expect(log.text('info')).toContain("the checksums file comes from k6's release host");
      expect(mirror.requests).toEqual([`/mirror/v${VERSION}/${ASSET}`]);
      expect(release.requests).toEqual([`/release/v${VERSION}/${CHECKSUMS}`]);
    } finally {
      await release.close();
    }
  });

  it('without a record and without k6’s release host, refuses and asks for k6-sha256; with it, installs', async () => {
    mirror = await startMirror(goodRoutes('mirror'));
    const offline = { ...env, releaseHost: 'http://127.0.0.1:9/{tag}/{asset}', downloadRetryDelayMs: 0 };
    const error = await installError(installK6(releaseOptions(mirror.template('mirror')), recordingLogger(), offline));
    expect(error.message).toMatch(
      /^k6 v2\.2\.0 cannot be verified: k6-gate has no record of its checksums and its checksums file could not be fetched from k6's release host: .*ECONNREFUSED/,
    );
    expect(error.message).toContain(`Set k6-sha256 to the SHA-256 of ${ASSET} from ${CHECKSUMS} on k6's release page`);
    expect(existsSync(cachedBinary())).toBe(false);

    const log = recordingLogger();
    const installed = await installK6(releaseOptions(mirror.template('mirror'), { sha256: sha256(archive).toUpperCase() }), log, offline);
    expect(installed).toEqual({ path: cachedBinary(), version: VERSION, source: 'release' });
    expect(log.text('info')).toContain(`SHA-256 of ${ASSET} matches k6-sha256`);
    expect(mirror.requests.filter((url) => url.endsWith(CHECKSUMS))).toEqual([]);
  });

  it('refuses a k6-sha256 that is not one, before any download', async () => {
    mirror = await startMirror(goodRoutes('mirror'));
    const error = await installError(installK6(releaseOptions(mirror.template('mirror'), { sha256: 'abc123' }), recordingLogger(), env));
    expect(error.message).toBe(
      'k6-sha256 "abc123" is not a SHA-256; expected 64 hex digits, the line for your platform\'s archive in k6-vX.Y.Z-checksums.txt',
    );
    expect(mirror.requests).toEqual([]);
  });

  it('records k6’s published SHA-256 of every release archive of the default k6 version', () => {
    const platforms = ['linux-amd64', 'linux-arm64', 'macos-amd64', 'macos-arm64', 'windows-amd64'] as const;
    for (const platform of platforms) expect(K6_RELEASE_SHA256[DEFAULT_K6_VERSION]?.[platform], platform).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('input checks', () => {
  it('refuses a version that is not X.Y.Z, quoting it', async () => {
    const error = await installError(installK6({ version: 'latest', install: 'release' }, recordingLogger(), env));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('k6-version "latest" is not a version');
  });

  it('refuses a download URL template without {asset} before touching the network', async () => {
    const error = await installError(
      installK6({ version: VERSION, install: 'release', downloadUrl: 'https://mirror.example.com/k6.tar.gz' }, recordingLogger(), env),
    );
    expect(error.message).toContain('has no {asset} placeholder');
  });
});

describe('auto method', () => {
  it('uses a k6 on PATH that has the pinned version, without downloading', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const log = recordingLogger();
    const installed = await installK6({ version: VERSION, install: 'auto', downloadUrl: mirror.template('mirror') }, log, {
      ...env,
      pathEnv: [emptyDir, path.dirname(k6Binary)].join(path.delimiter),
    });
    expect(installed).toEqual({ path: k6Binary, version: VERSION, source: 'path' });
    expect(log.text('info')).toContain(`using k6 v${VERSION} found on PATH at ${k6Binary}`);
    expect(mirror.requests).toEqual([]);
  });

  it('moves past a k6 of another version and a missing release, then lists every attempt', async () => {
    mirror = await startReleaseHost(goodRoutes('mirror'));
    const log = recordingLogger();
    const error = await installError(
      installK6({ version: '1.8.1', install: 'auto', downloadUrl: mirror.template('mirror') }, log, {
        ...env,
        pathEnv: path.dirname(k6Binary),
        goBinary: path.join(emptyDir, 'go'),
      }),
    );
    expect(error).toBeInstanceOf(K6InstallError);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('could not install k6 v1.8.1; tried, in order:');
    expect(lines[1]).toMatch(/^ {2}- tool cache: no k6 v1\.8\.1 in /);
    expect(lines[2]).toBe(`  - PATH: ${k6Binary} is k6 v${VERSION}, not the pinned v1.8.1`);
    expect(lines[3]).toMatch(/^ {2}- release: k6 v1\.8\.1 checksums file k6-v1\.8\.1-checksums\.txt does not exist at .* \(HTTP 404\)/);
    expect(lines[4]).toBe(`  - go: the go binary ${path.join(emptyDir, 'go')} does not exist or is not executable`);
    expect(log.text('info')).toMatch(/release download failed: .*HTTP 404.*; cannot build with go either/);
  });
});

describe('path method', () => {
  it('uses the given binary and reports its version', async () => {
    const log = recordingLogger();
    const installed = await installK6({ version: VERSION, install: 'path', path: k6Binary }, log, env);
    expect(installed).toEqual({ path: k6Binary, version: VERSION, source: 'explicit' });
    expect(log.text('warning')).toBe('');
  });

  it('remembers what k6 version said per binary file, and asks again once the file changes', async () => {
    // A stand-in that answers like k6 and counts how often it is asked.
    const counter = path.join(caseDir, 'asked');
    const fake = path.join(caseDir, 'k6');
    const script = (v: string) => `#!/bin/sh\necho x >> '${counter}'\necho 'k6 v${v} (commit/abc, go1.26, linux/amd64)'\n`;
    await writeFile(fake, script(VERSION), { mode: 0o755 });
    const asked = async () => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const first = await installK6({ version: VERSION, install: 'path', path: fake }, recordingLogger(), env);
    const second = await installK6({ version: VERSION, install: 'path', path: fake }, recordingLogger(), env);
    expect([first.version, second.version]).toEqual([VERSION, VERSION]);
    expect(await asked()).toBe(1);
    // Replaced by another build (another size): asked again, and the new answer is used.
    await writeFile(fake, script('1.8.1') + '# another build\n', { mode: 0o755 });
    const third = await installK6({ version: VERSION, install: 'path', path: fake }, recordingLogger(), env);
    expect(third.version).toBe('1.8.1');
    expect(await asked()).toBe(2);
    expect(JSON.parse(await readFile(path.join(env.toolCacheDir!, 'k6', '.k6-gate-versions.json'), 'utf8'))[fake]).toMatchObject({
      version: '1.8.1',
    });
  });

  it('a k6-path whose version command never ends (its child holds the pipes) fails at the time limit, and the child is gone', async () => {
    const wrapper = path.join(caseDir, 'k6-hangs');
    const childPid = path.join(caseDir, 'child.pid');
    await writeFile(wrapper, `#!/bin/sh\nsleep 3600 &\necho $! > '${childPid}'\nwait\n`, { mode: 0o755 });
    const started = Date.now();
    const error = await installError(
      installK6({ version: VERSION, install: 'path', path: wrapper }, recordingLogger(), { ...env, versionTimeoutMs: 1000 }),
    );
    expect(error.message).toBe(
      `${JSON.stringify(wrapper)} does not answer \`version\` like k6 does: \`version\` did not finish within 1 s`,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    const pid = Number(await readFile(childPid, 'utf8'));
    expect(await stopsWithin(pid, 2000), 'the wrapper’s child was killed with it').toBe(true);
  });

  it('accepts a genuine k6 copied under another name (it prints its own file name in its version line)', async () => {
    const renamed = path.join(caseDir, 'k6-2.2.0');
    await copyFile(k6Binary, renamed);
    await chmod(renamed, 0o755);
    const installed = await installK6({ version: VERSION, install: 'path', path: renamed }, recordingLogger(), env);
    expect(installed).toEqual({ path: renamed, version: VERSION, source: 'explicit' });
  });

  it('warns when the given binary is not the pinned version', async () => {
    const log = recordingLogger();
    const installed = await installK6({ version: '1.8.1', install: 'path', path: k6Binary }, log, env);
    expect(installed.version).toBe(VERSION);
    expect(log.text('warning')).toContain(`is k6 v${VERSION}, but k6-version pins v1.8.1`);
  });

  it('refuses a missing, non-executable or non-k6 path', async () => {
    expect((await installError(installK6({ version: VERSION, install: 'path' }, recordingLogger(), env))).message).toBe(
      'k6-install: path needs k6-path, the path of a k6 binary, and none was given',
    );
    const missing = path.join(caseDir, 'nope', 'k6');
    expect((await installError(installK6({ version: VERSION, install: 'path', path: missing }, recordingLogger(), env))).message).toContain(
      `k6 binary ${JSON.stringify(missing)} does not exist`,
    );
    const plain = path.join(caseDir, 'k6-not-executable');
    await writeFile(plain, 'x', { mode: 0o644 });
    expect((await installError(installK6({ version: VERSION, install: 'path', path: plain }, recordingLogger(), env))).message).toContain(
      'is not executable',
    );
    expect(
      (await installError(installK6({ version: VERSION, install: 'path', path: process.execPath }, recordingLogger(), env))).message,
    ).toContain('does not answer `version` like k6 does');
  });
});

describe('readK6Version', () => {
  it('reads the real k6 and returns undefined for programs that are not k6', async () => {
    expect(await readK6Version(k6Binary)).toBe(VERSION);
    expect(await readK6Version(process.execPath)).toBeUndefined();
    expect(await readK6Version(path.join(emptyDir, 'k6'))).toBeUndefined();
  });
});

describe('go method', async () => {
  const go = await findExecutable('go', process.env.PATH ?? '');
  if (!go) console.warn('skipping "go method builds k6": no `go` on PATH');

  it.skipIf(!go)(
    'go method builds k6 (auto: wrong k6 on PATH, release 404, then go) and caches it',
    async () => {
      mirror = await startReleaseHost(goodRoutes('mirror'));
      const log = recordingLogger();
      const started = Date.now();
      const installed = await installK6({ version: '1.8.1', install: 'auto', downloadUrl: mirror.template('mirror') }, log, {
        ...env,
        pathEnv: [path.dirname(k6Binary), path.dirname(go!)].join(path.delimiter),
      });
      const buildMs = Date.now() - started;
      expect(installed).toEqual({ path: path.join(env.toolCacheDir!, 'k6', '1.8.1', 'x64', 'k6'), version: '1.8.1', source: 'go' });
      expect(await readK6Version(installed.path)).toBe('1.8.1');
      expect(log.text('info')).toMatch(/release download failed: .*HTTP 404.*; trying go/);
      expect(log.text('info')).toContain('building k6 v1.8.1 from the Go module proxy (go.k6.io/k6@v1.8.1)');
      expect(await readdir(env.tempDir!)).toEqual([]);

      const again = await installK6({ version: '1.8.1', install: 'go' }, recordingLogger(), {
        ...env,
        goBinary: path.join(emptyDir, 'go'),
      });
      expect(again).toEqual({ ...installed, source: 'cache' });
      console.info(`go build (warm Go caches) of k6 v1.8.1: ${buildMs} ms`);
    },
    600_000,
  );

  it('k6-install: go without a Go toolchain says so', async () => {
    const error = await installError(installK6({ version: VERSION, install: 'go' }, recordingLogger(), env));
    expect(error.message).toBe(
      'k6-install: go needs a Go toolchain: no `go` binary on PATH (install Go ≥ 1.24, e.g. with actions/setup-go)',
    );
  });

  it('a failing go build quotes the end of go’s output', async () => {
    if (!go) return;
    const log = recordingLogger();
    // A version that is not on the module proxy fails fast, with go's own reason.
    const error = await installError(installK6({ version: '0.0.1', install: 'go' }, log, { ...env, goBinary: go }));
    expect(error.message).toMatch(/^go build of go\.k6\.io\/k6@v0\.0\.1 exited 1; last output:\n/);
    expect(error.message).toMatch(/go\.k6\.io\/k6@v0\.0\.1/);
    expect(log.text('debug')).toMatch(/^go: /m);
  });
});
