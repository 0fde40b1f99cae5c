// One version, read from package.json, everywhere: the components' default image tag and npx version,
// the Containerfile, the CLI; and the k6 the image carries and the components ask for is the CLI's default.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_K6_VERSION } from '../../src/config.js';
import { VERSION } from '../../src/version.js';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  config: { image: string };
  scripts: Record<string, string>;
};

type Inputs = Record<string, { default?: unknown; description?: string }>;
function inputsOf(file: string): Inputs {
  return (parseAllDocuments(readFileSync(path.join(REPO_ROOT, file), 'utf8'))[0].toJS() as { spec: { inputs: Inputs } }).spec.inputs;
}

describe('one version from package.json', () => {
  for (const file of ['templates/k6-gate.yml', 'templates/k6-gate-sharded.yml']) {
    it(`${file}: default image tag and npx version are package.json's, k6-version is the CLI's default`, () => {
      const inputs = inputsOf(file);
      expect(inputs.image.default).toBe(`${pkg.config.image}:${pkg.version}`);
      expect(inputs.cli.description).toContain(`npx -y k6-gate@${pkg.version}`);
      expect(inputs['k6-version'].default).toBe(DEFAULT_K6_VERSION);
    });
  }

  it('the Containerfile builds the package version with the CLI default k6, and the CLI reports the package version', () => {
    const containerfile = readFileSync(path.join(REPO_ROOT, 'Containerfile'), 'utf8');
    expect(containerfile).toMatch(new RegExp(`^ARG VERSION=${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(containerfile).toMatch(new RegExp(`^ARG K6_VERSION=${DEFAULT_K6_VERSION.replace(/\./g, '\\.')}$`, 'm'));
    expect(VERSION).toBe(pkg.version);
    const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Inputs };
    expect(action.inputs['k6-version'].default).toBe(DEFAULT_K6_VERSION);
  });

  it('scripts/sync-version.mjs --check finds every file in step', () => {
    const run = spawnSync(process.execPath, ['scripts/sync-version.mjs', '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  });

  it('a version bump (npm version runs sync-version) moves every place at once, and --check catches a file left behind', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-sync-version-'));
    try {
      for (const file of ['package.json', 'src/config.ts', 'src/version.ts', 'templates', 'Containerfile', 'README.md', 'docs']) {
        cpSync(path.join(REPO_ROOT, file), path.join(root, file), { recursive: true });
      }
      mkdirSync(path.join(root, 'scripts'));
      cpSync(path.join(REPO_ROOT, 'scripts', 'sync-version.mjs'), path.join(root, 'scripts', 'sync-version.mjs'));
      const bumped = { ...pkg, version: '7.8.9' };
      writeFileSync(path.join(root, 'package.json'), JSON.stringify(bumped, null, 2));
      const script = path.join(root, 'scripts', 'sync-version.mjs');
      const before = spawnSync(process.execPath, [script, '--check', '--root', root], { encoding: 'utf8' });
      expect(before.status).toBe(1);
      expect(before.stderr).toContain('not at version 7.8.9');
      expect(before.stderr).toContain('templates/k6-gate.yml');
      execFileSync(process.execPath, [script, '--root', root]);
      expect(spawnSync(process.execPath, [script, '--check', '--root', root]).status).toBe(0);
      const template = readFileSync(path.join(root, 'templates', 'k6-gate.yml'), 'utf8');
      expect(template).toContain(`default: ${pkg.config.image}:7.8.9`);
      expect(template).toContain('npx -y k6-gate@7.8.9');
      expect(template).not.toContain(`@${pkg.version}`);
      expect(readFileSync(path.join(root, 'src', 'version.ts'), 'utf8')).toContain("VERSION = '7.8.9'");
      expect(readFileSync(path.join(root, 'Containerfile'), 'utf8')).toContain('ARG VERSION=7.8.9');
      expect(pkg.scripts.version).toMatch(/^node scripts\/sync-version\.mjs && git add /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
