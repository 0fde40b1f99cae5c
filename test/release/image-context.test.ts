// scripts/image-context.mjs refuses a k6 that is not the pinned version or not static, before any image
// is built (K6_GATE_IMAGE_K6 names a binary to use instead of building one).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_K6_VERSION } from '../../src/config.js';
import { testK6Path, testK6V1Path } from '../helpers/k6.js';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-image-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(k6: string) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'image-context.mjs'), path.join(dir, 'ctx')], {
    encoding: 'utf8',
    env: { ...process.env, K6_GATE_IMAGE_K6: k6 },
  });
}

describe('image build context (scripts/image-context.mjs)', () => {
  it('refuses a k6 of another version than the CLI default, saying which it is', () => {
    const run = context(testK6V1Path());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`is go.k6.io/k6 v1.8.1; expected go.k6.io/k6/v2 v${DEFAULT_K6_VERSION}, the CLI's default k6`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a dynamically linked (CGO) k6, and takes a static one', () => {
    const k6 = testK6Path();
    const cgo = /\bCGO_ENABLED=(\S+)/.exec(execFileSync('go', ['version', '-m', k6], { encoding: 'utf8' }))?.[1];
    const run = context(k6);
    if (cgo === '0') {
      // A release binary (K6_GATE_TEST_INSTALL=release) is static: it is taken.
      expect(run.status, run.stderr).toBe(0);
    } else {
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`was built with CGO_ENABLED=${cgo}; expected a static build (CGO_ENABLED=0)`);
    }
  });
});
