// Closing lines of `npm test`, read from vitest's JSON report: the totals, then every skipped test by
// name. In CI (CI set) a skipped test fails the run: `npm test` installs every tool the tests need,
// so a skip means an install step went missing, and a green run would hide it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'build/vitest.json', 'utf8'));
const skipped = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => test.status !== 'passed' && test.status !== 'failed')
    .map((test) => `${path.relative(process.cwd(), file.name)} › ${test.fullName}`),
);
console.log(`\ntests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped.length} skipped`);
if (skipped.length > 0) {
  console.log(`skipped:\n  ${skipped.join('\n  ')}`);
  if (process.env.CI) {
    console.error('CI does not accept skipped tests: install what they need (see the "tools the tests need" step)');
    process.exit(1);
  }
}
