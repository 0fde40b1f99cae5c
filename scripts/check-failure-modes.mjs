// Proves docs/failure-modes.md against the test run: every row names at least one test, and every
// test it names passed in vitest's JSON report (build/vitest.json). A row whose test was renamed,
// deleted, skipped or failed makes this fail, so the table cannot drift from what CI proves.
// Usage: node scripts/check-failure-modes.mjs [vitest.json] [failure-modes.md]
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'build/vitest.json';
const tablePath = process.argv[3] ?? 'docs/failure-modes.md';

/**
 * The tests one table cell names: `test/x.test.ts › \`name\`; \`other name in the same file\``.
 * "(row \`…\`)" after an it.each template picks the table row: the reported title must contain it
 * (compared on letters and digits only, as %j quotes differently from the table).
 */
function testsNamedIn(cell) {
  const found = [];
  let file;
  for (const match of cell.matchAll(/(test\/[\w./-]+\.test\.ts) ›|\(row (`+)(.+?)\2(?!`)\)|(`+)(.+?)\4(?!`)/g)) {
    if (match[1]) {
      file = match[1];
    } else if (match[3]) {
      if (found.length === 0) throw new Error(`a row selector without a test name before it: ${match[0]}`);
      found.at(-1).row = match[3];
    } else {
      let name = match[5];
      if (name.startsWith(' ') && name.endsWith(' ') && name.trim() !== '') name = name.slice(1, -1);
      if (!file) throw new Error(`a test name without a file before it: ${name}`);
      found.push({ file, name });
    }
  }
  return found;
}

const lettersAndDigits = (text) => text.replace(/[^\p{L}\p{N}]/gu, '');

/** A test title, or an it.each / template-literal title, as a pattern over the titles vitest reports. */
function titlePattern(name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const placeholders = escaped.replace(/%[sdifjo#%]/g, '.+').replace(/\\\$\\\{[^}]*\\\}/g, '.+');
  return new RegExp(`^${placeholders}$`);
}

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const results = report.testResults.flatMap((file) =>
  file.assertionResults.map((test) => ({ file: file.name, title: test.title, status: test.status })),
);

const rows = readFileSync(tablePath, 'utf8')
  .split('\n')
  .filter((line) => /^\| \d+ \|/.test(line))
  .map((line) => {
    const cells = line.split(' | ');
    return { number: cells[0].replace('| ', ''), cell: cells.at(-1).replace(/ \|$/, '') };
  });

const problems = [];
let proofs = 0;
for (const row of rows) {
  const named = testsNamedIn(row.cell);
  if (named.length === 0) problems.push(`row ${row.number}: names no test`);
  for (const { file, name, row: selector } of named) {
    const pattern = titlePattern(name);
    const matching = results.filter(
      (r) =>
        r.file.endsWith(`/${file}`) &&
        pattern.test(r.title) &&
        (!selector || lettersAndDigits(r.title).includes(lettersAndDigits(selector))),
    );
    const what = selector ? `"${name}" (row ${selector})` : `"${name}"`;
    if (matching.length === 0) problems.push(`row ${row.number}: no test ${what} ran in ${file}`);
    else if (matching.some((r) => r.status !== 'passed')) problems.push(`row ${row.number}: ${what} in ${file} did not pass`);
    else proofs += matching.length;
  }
}
if (rows.length === 0) problems.push(`no table rows found in ${tablePath}`);

if (problems.length > 0) {
  console.error(`${tablePath}: ${problems.length} row(s) not proved by this test run:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${tablePath}: all ${rows.length} rows proved by ${proofs} passing tests`);
