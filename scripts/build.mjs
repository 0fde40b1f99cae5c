// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with @vercel/ncc.
// `node scripts/build.mjs [outDir]` builds into outDir (check-dist builds into a temp dir).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
const entries = [
  { src: 'src/index.ts', out: 'index.js', shebang: false },
  { src: 'src/bin.ts', out: 'cli.js', shebang: true },
];
mkdirSync(outDir, { recursive: true });
for (const entry of entries) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-ncc-'));
  const run = spawnSync(
    process.execPath,
    [ncc, 'build', entry.src, '-o', tmp, '--target', 'es2022', '--quiet', '--no-source-map-register', '--license', 'licenses.txt'],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) {
    console.error(`ncc failed for ${entry.src}`);
    process.exit(run.status ?? 1);
  }
  // The CLI loads its commands with import(); they must stay in the one bundle (webpackMode "eager"),
  // because only index.js is copied: a chunk file left behind would be missing at run time.
  const chunks = readdirSync(tmp).filter((name) => name.endsWith('.js') && name !== 'index.js');
  if (chunks.length > 0) {
    console.error(`ncc split ${entry.src} into chunks (${chunks.join(', ')}); mark its dynamic imports /* webpackMode: "eager" */`);
    process.exit(1);
  }
  let code = readFileSync(path.join(tmp, 'index.js'), 'utf8');
  if (entry.shebang && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`;
  writeFileSync(path.join(outDir, entry.out), code);
  if (entry.shebang) chmodSync(path.join(outDir, entry.out), 0o755);
  const licenses = path.join(tmp, 'licenses.txt');
  if (existsSync(licenses)) cpSync(licenses, path.join(outDir, entry.out.replace(/\.js$/, '.licenses.txt')));
  rmSync(tmp, { recursive: true, force: true });
}
// package.json with type module so node treats the bundles as ESM wherever dist/ is copied.
writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
console.log(`built ${entries.map((e) => path.join(path.relative(process.cwd(), outDir) || '.', e.out)).join(', ')}`);
