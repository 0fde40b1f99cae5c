// Writes the inputs and outputs tables of README.md from action.yml, between the
// <!-- inputs:start/end --> and <!-- outputs:start/end --> markers. `--check` fails when the README
// is stale (test/readme.test.ts runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

export function renderTables(actionYaml) {
  const action = parse(actionYaml);
  const cell = (text) =>
    String(text ?? '')
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ')
      .trim();
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${cell(spec.description)} | ${spec.default === undefined || spec.default === '' ? (spec.required ? '**required**' : '') : `\`${cell(spec.default)}\``} |`,
  );
  const outputs = Object.entries(action.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`);
  return {
    inputs: ['| Input | Description | Default |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n'),
  };
}

export function updateReadme(readme, tables) {
  let out = readme;
  for (const [name, table] of Object.entries(tables)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
    out = out.replace(re, (_all, start, end) => `${start}\n${table}\n${end}`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  const next = updateReadme(readme, renderTables(readFileSync('action.yml', 'utf8')));
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md inputs/outputs tables are stale: run `node scripts/readme-tables.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync('README.md', next);
  }
}
