// Where tests find the real k6. `npm test` (scripts/test.sh) installs it with k6-gate's own installer
// (Go method) and exports K6_GATE_TEST_K6 (v2.2.0) and K6_GATE_TEST_K6_V1 (v1.8.1); on a developer
// machine the installer's default cache is searched as well.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultToolCacheLocation } from '../../src/k6/system.js';

export const TEST_K6_VERSION = '2.2.0';
export const TEST_K6_V1_VERSION = '1.8.1';

/** Where `k6-gate install` puts k6 by default: the installer's own tool-cache location. */
function cached(version: string): string {
  const { toolCacheDir } = defaultToolCacheLocation(process.platform, process.env, os.homedir(), os.tmpdir());
  return path.join(toolCacheDir, 'k6', version, os.arch(), process.platform === 'win32' ? 'k6.exe' : 'k6');
}

function find(envName: string, version: string): string {
  const explicit = process.env[envName];
  if (explicit) return explicit;
  const candidate = cached(version);
  if (!existsSync(candidate)) {
    throw new Error(`no k6 ${version} for tests: set ${envName} or run \`npm test\` (it installs k6 with the Go method)`);
  }
  return candidate;
}

/** The k6 v2 binary every integration test runs. */
export function testK6Path(): string {
  return find('K6_GATE_TEST_K6', TEST_K6_VERSION);
}

/** k6 v1, for the compatibility tests. */
export function testK6V1Path(): string {
  return find('K6_GATE_TEST_K6_V1', TEST_K6_V1_VERSION);
}
