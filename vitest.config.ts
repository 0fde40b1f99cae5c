// Two projects (docs/architecture.md, "Tests"):
// - unit: plain data, temp files and local HTTP fakes; no k6, no dist/, no gitlab-ci-local.
//   `npm run test:unit` runs it in seconds on a machine without k6.
// - integration: a real k6, the built bundles or gitlab-ci-local. `npm run test:integration`.
// `npm test` (scripts/test.sh) runs both. The rule is what a test file uses, found in its text:
// a file that mentions one of INTEGRATION_MARKS is an integration test, so a new test that starts
// using k6 moves to the integration project by itself.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const INTEGRATION_MARKS = [
  'helpers/k6', // testK6Path: a real k6
  'K6_GATE_TEST_K6',
  'helpers/gate', // testConfig: a gate run with the real k6 unless the test brings its own
  'reliability/support', // the reliability suite's gate runner
  "from './support", // the same, from inside test/reliability/
  'helpers/cli', // the CLI in-process: its commands reach k6
  'dist/', // the built bundles
  'gitlab-ci-local',
  'helpers/browser', // a real headless Chromium
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'data' ? [] : testFiles(file);
    return entry.name.endsWith('.test.ts') ? [file.split(path.sep).join('/')] : [];
  });
}

const all = testFiles('test');
const integration = all.filter((file) => {
  const text = readFileSync(file, 'utf8');
  return INTEGRATION_MARKS.some((mark) => text.includes(mark));
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real k6 processes and servers; two cores do not take more at once.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration } },
      { extends: true, test: { name: 'integration', include: integration.length > 0 ? integration : ['no-integration-tests'] } },
    ],
  },
});
