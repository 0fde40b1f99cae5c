// Golden reports: the Markdown a reader gets for a passed, a regressed, an A/B, an error and a
// cancelled run, and a duet regressed, equivalent, inconclusive and A/A, kept in
// test/report/golden/ and read by a person when they change. A change to the report fails here until the files are regenerated on purpose:
//   npx vitest run test/report/golden.test.ts -u
// and the diff of test/report/golden/ is reviewed like code.
import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { duetAa, duetEquivalent, duetInconclusive, duetRegressed } from './duet-cases.js';
import { abRun, cancelledRun, errorRun, passedRun, regressedRun } from './golden-cases.js';

describe('golden Markdown reports', () => {
  const cases = { passed: passedRun, regressed: regressedRun, error: errorRun, cancelled: cancelledRun };
  for (const [name, build] of Object.entries(cases)) {
    it(`the ${name} run reads as in golden/${name}.md`, async () => {
      await expect(renderMarkdownReport(build())).toMatchFileSnapshot(`golden/${name}.md`);
    });
  }

  it('the A/B run reads as in golden/ab.md', async () => {
    await expect(renderMarkdownReport(await abRun())).toMatchFileSnapshot('golden/ab.md');
  });

  // Duets mapped by the gate's own duetScenarioResult (duet-cases.ts).
  const duets = {
    'duet-regressed': duetRegressed,
    'duet-equivalent': duetEquivalent,
    'duet-inconclusive': duetInconclusive,
    'duet-aa': duetAa,
  };
  for (const [name, build] of Object.entries(duets)) {
    it(`the ${name} run reads as in golden/${name}.md`, async () => {
      await expect(renderMarkdownReport(build())).toMatchFileSnapshot(`golden/${name}.md`);
    });
  }
});
