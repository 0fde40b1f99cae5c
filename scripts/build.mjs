// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with @vercel/ncc.
// `node scripts/build.mjs [outDir]` builds into outDir (check-dist builds into a temp dir).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
const entries = [
  { src: 'src/index.ts', out: 'index.js', shebang: false },
  { src: 'src/bin.ts', out: 'cli.js', shebang: true },
];
mkdirSync(outDir, { recursive: true });
// Chunk files of an earlier build would linger next to the new ones.
for (const name of readdirSync(outDir)) if (/^(cli|index)\.\d+\.js$/.test(name)) rmSync(path.join(outDir, name));
for (const entry of entries) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-ncc-'));
  const run = spawnSync(
    process.execPath,
    [
      ncc,
      'build',
      entry.src,
      '-o',
      tmp,
      '--target',
      'es2022',
      '--quiet',
      '--no-source-map-register',
      '--stats-out',
      path.join(tmp, 'stats.json'),
    ],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) {
    console.error(`ncc failed for ${entry.src}`);
    process.exit(run.status ?? 1);
  }
  // Modules that only some commands need (the download client, yaml, the demo target's WebSocket
  // server, …) are loaded with import() and land in chunk files, so a command does not compile what it
  // never runs. ncc names them `<id>.index.js`; both entries build into one dist/, so each entry's
  // chunks are renamed after it (`cli.<id>.js`, `index.<id>.js`) and the loader is told so.
  const base = entry.out.replace(/\.js$/, '');
  const chunkNames = readdirSync(tmp).filter((name) => /^\d+\.index\.js$/.test(name));
  let code = readFileSync(path.join(tmp, 'index.js'), 'utf8');
  if (chunkNames.length > 0) {
    const loader = 'return "" + chunkId + ".index.js";';
    if (code.split(loader).length !== 2) {
      console.error(`ncc's chunk loader for ${entry.src} has changed shape: expected one \`${loader}\``);
      process.exit(1);
    }
    code = code.replace(loader, `return "${base}." + chunkId + ".js";`);
  }
  if (entry.shebang && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`;
  writeFileSync(path.join(outDir, entry.out), code);
  if (entry.shebang) chmodSync(path.join(outDir, entry.out), 0o755);
  for (const name of chunkNames) cpSync(path.join(tmp, name), path.join(outDir, `${base}.${name.replace(/\.index\.js$/, '')}.js`));
  writeFileSync(path.join(outDir, `${base}.licenses.txt`), licensesOf(JSON.parse(readFileSync(path.join(tmp, 'stats.json'), 'utf8'))));
  rmSync(tmp, { recursive: true, force: true });
}
/**
 * The licenses of every package bundled into an entry and its chunks, from webpack's stats. ncc's own
 * --license writes one file per chunk under the same name, so with chunks the last one written wins.
 */
function licensesOf(stats) {
  const roots = new Map();
  const visit = (module) => {
    for (const inner of module.modules ?? []) visit(inner);
    const file = (module.identifier ?? '').split('!').pop().split('|')[0];
    const at = file.lastIndexOf('/node_modules/');
    if (at === -1) return;
    const parts = file.slice(at + '/node_modules/'.length).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    roots.set(file.slice(0, at + '/node_modules/'.length) + name, name);
  };
  for (const module of stats.modules) visit(module);
  const sections = [];
  // By name, then by folder (a package bundled at two versions is listed twice).
  for (const [root, name] of [...roots].sort(([ra, a], [rb, b]) => (a < b ? -1 : a > b ? 1 : ra < rb ? -1 : 1))) {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
    const textFile = readdirSync(root)
      .filter((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f))
      .sort()[0];
    const text = textFile ? readFileSync(path.join(root, textFile), 'utf8').trim() : '';
    sections.push(`${name}\n${license}\n${text}\n`);
  }
  return `${sections.join('\n')}`;
}

// package.json with type module so node treats the bundles as ESM wherever dist/ is copied.
writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
console.log(`built ${entries.map((e) => path.join(path.relative(process.cwd(), outDir) || '.', e.out)).join(', ')}`);
