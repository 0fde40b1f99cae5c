// The README is the user's first contact: its commands and tables must stay true.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { renderTables, updateReadme } from '../scripts/readme-tables.mjs';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('README.md', () => {
  it('documents every action input and output (tables generated from action.yml)', () => {
    const readme = read('README.md');
    expect(updateReadme(readme, renderTables(read('action.yml')))).toBe(readme);
    expect(readme).toContain('| `scenarios` |');
    expect(readme).toContain('| `comment-url` |');
  });

  it('gives the two quick-start commands, and CI calls the test command', () => {
    const readme = read('README.md');
    expect(readme).toContain('\nnode dist/cli.js demo\n');
    expect(readme).toContain('\nnpm ci && npm test\n');
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
  });

  it('shows the demo catching a 5 % slowdown in A/B mode (test/cli/demo-ab.test.ts runs it)', () => {
    expect(read('README.md')).toMatch(/\nnode dist\/cli\.js demo --ab --slowdown 5% +# .*exits 1 where 5 % can be seen\n/);
  });
});
