// The npm package as users get it: `npm pack`, then `npm install` of the tarball into an empty prefix,
// offline and with an empty npm cache, so nothing can come from the registry or a warm cache.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';

export interface PackedPackage {
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes of the files inside it. */
  unpackedSize: number;
  files: string[];
  version: string;
}

export function packPackage(destination: string): PackedPackage {
  mkdirSync(destination, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(out) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
    version: string;
  }[];
  return {
    tarball: path.join(destination, packed.filename),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((f) => f.path).sort(),
    version: packed.version,
  };
}

export interface InstalledPackage {
  prefix: string;
  /** The installed `k6-gate` command. */
  bin: string;
  /** Top-level folders under node_modules (packages npm installed). */
  packages: string[];
  /** Bytes under node_modules. */
  installedSize: number;
}

/** `npm install --offline` of the tarball into `prefix`, with its own empty npm cache. */
export function installOffline(tarball: string, prefix: string): InstalledPackage {
  mkdirSync(prefix, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      '--cache',
      path.join(prefix, '.npm-cache'),
      '--prefix',
      prefix,
      tarball,
    ],
    { cwd: prefix, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const modules = path.join(prefix, 'node_modules');
  const packages = readdirSync(modules).filter((name) => !name.startsWith('.'));
  return { prefix, bin: path.join(modules, '.bin', 'k6-gate'), packages, installedSize: sizeOf(modules) };
}

function sizeOf(target: string): number {
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target).reduce((sum, name) => sum + sizeOf(path.join(target, name)), 0);
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
