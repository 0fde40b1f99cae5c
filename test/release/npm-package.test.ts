// The published npm package: no runtime dependencies (dist/cli.js and its chunk files hold all the
// code), small, and a real gate runs from the installed copy, installed offline from the packed tarball.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { runProgram } from '../helpers/cli.js';
import { testK6Path } from '../helpers/k6.js';
import { buildReleaseArchive, releaseRoutes, sha256, startMirror } from '../helpers/k6-release.js';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';
import { installOffline, megabytes, packPackage, type InstalledPackage, type PackedPackage } from './packed.js';

/** Not this checkout's environment: the installed copy must find its own scenarios. */
const run = (file: string, args: string[], cwd: string) =>
  runProgram(file, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } });

describe('npm package (npm pack, then npm install --offline of the tarball)', () => {
  let dir: string;
  let packed: PackedPackage;
  let installed: InstalledPackage;
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    dependencies?: object;
    optionalDependencies?: object;
    peerDependencies?: object;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-npm-package-'));
    packed = packPackage(path.join(dir, 'pack'));
    installed = installOffline(packed.tarball, path.join(dir, 'prefix'));
    console.info(
      `npm package: ${path.basename(packed.tarball)} ${megabytes(packed.size)} packed, ${megabytes(packed.unpackedSize)} unpacked, ` +
        `${megabytes(installed.installedSize)} installed (node_modules of an empty prefix), ${packed.files.length} files`,
    );
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('declares no runtime dependencies, and installing it offline pulls in nothing but k6-gate', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.optionalDependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect(installed.packages).toEqual(['k6-gate']);
  });

  it('is small: at most 10 MB installed', () => {
    expect(installed.installedSize).toBeLessThanOrEqual(10e6);
    expect(packed.size).toBeLessThan(installed.installedSize);
  });

  it('ships the CLI bundle, the scenarios, the schemas and the GitLab component templates, and no sources or tests', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'dist/cli.js',
        'scenarios/http-endpoints.ts',
        'scenarios/lib/profiles.ts',
        'schemas/baseline.schema.json',
        'templates/k6-gate.yml',
        'templates/k6-gate-sharded.yml',
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
      ]),
    );
    expect(packed.files.filter((f) => /^(src|test|node_modules|bench)\//.test(f) || f === 'dist/index.js')).toEqual([]);
  });

  it('ships every chunk file of the CLI bundle (code that only some commands load)', () => {
    const chunks = readdirSync(path.join(REPO_ROOT, 'dist')).filter((f) => /^cli\.\d+\.js$/.test(f));
    expect(chunks.length).toBeGreaterThan(0);
    expect(packed.files).toEqual(expect.arrayContaining(chunks.map((f) => `dist/${f}`)));
  });

  it('the installed k6-gate downloads k6 from a release mirror, with the download client from its chunk', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-npm-release-'));
    const archive = await buildReleaseArchive(testK6Path(), '2.2.0', scratch);
    const mirror = await startMirror(releaseRoutes('mirror', '2.2.0', archive));
    try {
      const install = await runProgram(
        installed.bin,
        // The archive is the test's own build, not k6's published one: its SHA-256 is given, as a
        // user of a private mirror would.
        [
          'install',
          '--k6-version',
          '2.2.0',
          '--method',
          'release',
          '--k6-download-url',
          mirror.template('mirror'),
          '--k6-sha256',
          sha256(archive),
        ],
        { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, RUNNER_TOOL_CACHE: path.join(scratch, 'tool-cache') } },
      );
      expect(install.status, install.stderr).toBe(0);
      expect(install.stdout.trim()).toBe(path.join(scratch, 'tool-cache', 'k6', '2.2.0', 'x64', 'k6'));
      expect(mirror.requests).toEqual(['/mirror/v2.2.0/k6-v2.2.0-linux-amd64.tar.gz']);
    } finally {
      await mirror.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it('the installed k6-gate prints its version and installs (points at) a given k6', async () => {
    const version = await run(installed.bin, ['--version'], dir);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const k6 = testK6Path();
    const install = await run(installed.bin, ['install', '--k6-path', k6], dir);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout.trim()).toBe(k6);
  });

  describe('a real gate run from the installed copy', () => {
    let target: DemoTarget;
    beforeAll(async () => {
      target = await startDemoTarget({ seed: 3 });
    });
    afterAll(async () => {
      await target?.close();
    });

    it('runs a bundled scenario with the real k6, writes the baseline and the reports, and passes', async () => {
      const work = path.join(dir, 'project');
      // A 2 s run on a shared machine is noisy: a wide tolerance keeps the verdict about the install, not the load.
      const args = [
        ...['run', 'http-endpoints', '--target', target.url, '--env', 'VUS=1', '--env', 'DURATION=2s'],
        ...['--tolerance', '300%', '--k6-path', testK6Path()],
      ];
      await mkdir(work, { recursive: true });
      const first = await run(installed.bin, [...args, '--update-baseline', 'force', '--no-html-report'], work);
      expect(first.status, first.stderr).toBe(0);
      expect(existsSync(path.join(work, 'k6-baseline.json'))).toBe(true);
      const second = await run(installed.bin, [...args, '--json', '--no-html-report'], work);
      expect(second.status, second.stderr).toBe(0);
      const result = JSON.parse(second.stdout) as { outcome: string; scenarios: { metrics: { verdict: string }[] }[] };
      expect(result.outcome).toBe('passed');
      expect(result.scenarios[0].metrics.length).toBeGreaterThan(3);
      expect(result.scenarios[0].metrics.every((m) => m.verdict === 'unchanged')).toBe(true);
      // The scenario came from the installed package, not from this checkout.
      expect(second.stderr).toContain(path.join(installed.prefix, 'node_modules', 'k6-gate', 'scenarios'));
    }, 60_000);
  });
});
