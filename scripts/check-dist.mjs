// Fails when the committed dist/ is not what src/ (with the demo target, demo/) builds to: rebuild into a
// temp dir and compare.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-check-dist-'));
const build = spawnSync(process.execPath, ['scripts/build.mjs', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
const differences = [];
const names = new Set([...readdirSync('dist'), ...readdirSync(tmp)]);
for (const name of [...names].sort()) {
  let committed, fresh;
  try {
    committed = readFileSync(path.join('dist', name));
  } catch {
    differences.push(`${name}: missing from dist/`);
    continue;
  }
  try {
    fresh = readFileSync(path.join(tmp, name));
  } catch {
    differences.push(`${name}: in dist/ but not built from src/`);
    continue;
  }
  if (!committed.equals(fresh)) differences.push(`${name}: differs from a fresh build`);
}
rmSync(tmp, { recursive: true, force: true });
if (differences.length > 0) {
  console.error(
    `check-dist: dist/ does not match src/:\n  ${differences.join('\n  ')}\nRun \`npm ci\` (the bundle takes the locked dependency versions), then \`npm run build\`, and commit dist/.`,
  );
  process.exit(1);
}
console.log('check-dist: dist/ matches src/');
