// Builds a Config for pipeline tests: a temp workspace, the real k6, tiny load.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { createTerminalLogger, type Logger } from '../../src/log.js';
import { testK6Path } from './k6.js';

export async function tempWorkspace(prefix = 'k6-gate-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A logger that keeps every line, for asserting what a user would read. */
export function recordingLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const log = createTerminalLogger({ write: (line) => lines.push(line), verbose: true });
  return Object.assign(log, { lines, text: () => lines.join('\n') });
}

export function testConfig(workspace: string, over: Partial<Config> = {}): Config {
  return {
    scenarios: [],
    profile: 'smoke',
    preflightTimeoutMs: 5000,
    baselinePath: path.join(workspace, 'k6-baseline.json'),
    resultsDir: path.join(workspace, 'results'),
    failOn: ['regression', 'thresholds'],
    updateBaseline: 'never',
    // Looked up only when the test does not bring its own k6 options (unit tests run without k6).
    k6: over.k6 ?? { version: '2.2.0', install: 'path', path: testK6Path() },
    env: { VUS: '2', DURATION: '3s', THINK_TIME: '0.05' },
    secrets: [],
    k6Args: [],
    htmlReport: false,
    rawOutput: false,
    workspace,
    git: {},
    ...over,
  };
}
