// The k6-gate image, built here with buildah from the repository's Containerfile, then inspected and run.
//
// These machines pull no images, so the test builds FROM a base it assembles itself (test/helpers/
// containers.ts: `FROM scratch` plus Node 24, bash, dash as /bin/sh and /usr/bin/env with their shared
// libraries) — what the Containerfile asks of BASE. It is passed as `--build-arg BASE=localhost/k6-gate-test-base:node24`;
// releases pass node:24-bookworm-slim pinned by digest instead (.github/workflows/release.yml). The
// Containerfile, the build context (scripts/image-context.mjs: the packed npm package and a static k6
// built with CGO_ENABLED=0) and the build command are the release's.
//
// buildah runs as root with vfs storage in a throwaway storage root, and the image runs with
// `buildah run --isolation chroot`, which shares this machine's network: the gate run reaches the demo
// target on loopback. test/gitlab/container-run.test.ts runs the GitLab jobs in the same image with podman.
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { DEFAULT_K6_VERSION } from '../../src/config.js';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';
import { runProgram } from '../helpers/cli.js';
import { buildGateImage, buildahWith, containerEnv, GATE_IMAGE, missingForBuild, type Buildah } from '../helpers/containers.js';

const IMAGE = GATE_IMAGE;
const ready = missingForBuild().length === 0;

/** True when an ELF executable asks for a dynamic loader (has a PT_INTERP program header). */
function isDynamicallyLinked(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.toString('latin1', 1, 4) !== 'ELF' || header[4] !== 2) throw new Error(`${file} is not a 64-bit ELF file`);
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!ready)('container image (Containerfile, built with buildah, run with buildah run --isolation chroot)', () => {
  let dir: string;
  let buildah: Buildah;
  let env: NodeJS.ProcessEnv;
  let container: string;
  let mountPoint: string;
  let imageEnv: Record<string, string>;
  let target: DemoTarget;
  const timings: Record<string, number> = {};

  /** Asynchronous (runProgram): the demo target lives in this process and must keep answering. */
  function runInImage(args: string[]) {
    return runProgram('buildah', ['run', '--isolation', 'chroot', container, '--', ...args], { env });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-image-'));
    env = containerEnv(path.join(dir, 'containers'));
    buildah = buildahWith(env);
    const started = Date.now();
    imageEnv = buildGateImage(buildah, dir);
    timings.build = Date.now() - started;
    container = buildah(['from', '--pull-never', '--name', 'k6-gate-test', IMAGE]).trim();
    mountPoint = buildah(['mount', container]).trim();
    target = await startDemoTarget({ seed: 5 });
  }, 300_000);

  afterAll(async () => {
    const sizes = buildah ? buildah(['images', '--format', '{{.Name}}:{{.Tag}} {{.Size}}']).trim().replace(/\n/g, '; ') : '';
    console.info(`image build timings (ms): ${JSON.stringify(timings)}; images: ${sizes}`);
    await target?.close();
    if (container) buildah(['rm', container]);
    if (dir) {
      // vfs layers are plain directories; root-owned files inside need no special handling to delete.
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as a non-root user with k6-gate as its entrypoint, labelled with its version and k6 version', () => {
    const config = JSON.parse(buildah(['inspect', '--type', 'image', IMAGE])) as {
      OCIv1: { config: { User: string; Entrypoint: string[]; Labels: Record<string, string>; Env: string[] } };
    };
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(config.OCIv1.config.User).toBe('10001:10001');
    expect(config.OCIv1.config.Entrypoint).toEqual(['k6-gate']);
    expect(config.OCIv1.config.Labels).toMatchObject({
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.licenses': 'MIT AND AGPL-3.0-only',
      'io.k6.version': DEFAULT_K6_VERSION,
      'io.k6.source': `https://github.com/grafana/k6/tree/v${DEFAULT_K6_VERSION}`,
    });
    expect(config.OCIv1.config.Env).toContain('HOME=/home/k6-gate');
  });

  it('carries a static k6, the npm package, k6-gate on PATH, and k6 license and exact source tag', () => {
    const k6 = path.join(mountPoint, 'usr', 'local', 'bin', 'k6');
    expect(existsSync(k6)).toBe(true);
    expect(isDynamicallyLinked(k6), 'k6 is statically linked (CGO disabled)').toBe(false);
    // The checker itself can say yes: Node is dynamically linked.
    expect(isDynamicallyLinked(path.join(mountPoint, 'usr', 'local', 'bin', 'node'))).toBe(true);
    const installed = JSON.parse(readFileSync(path.join(mountPoint, 'opt', 'k6-gate', 'package.json'), 'utf8')) as {
      version: string;
      dependencies?: object;
    };
    expect(installed.version).toBe(imageEnv.VERSION);
    expect(installed.dependencies).toBeUndefined();
    expect(existsSync(path.join(mountPoint, 'opt', 'k6-gate', 'scenarios', 'http-endpoints.ts'))).toBe(true);
    expect(existsSync(path.join(mountPoint, 'opt', 'k6-gate', 'LICENSE'))).toBe(true);
    const license = readFileSync(path.join(mountPoint, 'usr', 'share', 'licenses', 'k6', 'LICENSE.md'), 'utf8');
    expect(license).toMatch(/GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3/);
    const source = readFileSync(path.join(mountPoint, 'usr', 'share', 'licenses', 'k6', 'SOURCE'), 'utf8');
    expect(source).toContain(`go.k6.io/k6/v2@v${DEFAULT_K6_VERSION}`);
    expect(source).toContain(`https://github.com/grafana/k6/tree/v${DEFAULT_K6_VERSION}`);
    expect(source).toContain(imageEnv.K6_MODULE_SUM);
    expect(source).toMatch(/CGO_ENABLED=0/);
  });

  it('inside the image: k6 version is the pinned one, k6-gate --version is the package version, the user is 10001', async () => {
    const k6 = await runInImage(['k6', 'version']);
    expect(k6.status, k6.stderr).toBe(0);
    expect(k6.stdout).toMatch(new RegExp(`^k6 v${DEFAULT_K6_VERSION.replace(/\./g, '\\.')} `));
    const gate = await runInImage(['k6-gate', '--version']);
    expect(gate.status, gate.stderr).toBe(0);
    expect(gate.stdout.trim()).toBe(imageEnv.VERSION);
    const who = await runInImage(['node', '-e', 'console.log(process.getuid(), process.getgid(), require("os").homedir())']);
    expect(who.stdout.trim()).toBe('10001 10001 /home/k6-gate');
  });

  it('inside the image: a real gate run with the image k6 against a target on loopback, nothing downloaded', async () => {
    const run = await runInImage([
      ...['k6-gate', 'run', 'http-endpoints', '--target', target.url, '--env', 'VUS=1', '--env', 'DURATION=2s'],
      ...['--update-baseline', 'force', '--no-html-report', '--json'],
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`using k6 v${DEFAULT_K6_VERSION.replace(/\./g, '\\.')} found on PATH at /usr/local/bin/k6`));
    expect(run.stderr).not.toMatch(/downloading k6|building k6/);
    const result = JSON.parse(run.stdout) as { outcome: string };
    expect(result.outcome).toBe('passed');
    // Written as the non-root user into its own home (the working directory).
    expect(existsSync(path.join(mountPoint, 'home', 'k6-gate', 'k6-baseline.json'))).toBe(true);
  }, 60_000);
});

if (!ready) {
  describe('container image prerequisites', () => {
    it.skip(`skipped: needs buildah, root and linux/x64 (apt-get install -y buildah; see scripts/test.sh)`, () => {});
  });
}
