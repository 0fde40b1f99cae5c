// Shared by the benchmarks: src/ and the demo target (demo/) transpiled to build/bench-src/ and loaded,
// without a type check (a bench must not depend on the whole tree compiling).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function buildSources(root) {
  const ts = (await import('typescript')).default;
  const out = path.join(root, 'build', 'bench-src');
  await rm(out, { recursive: true, force: true });
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(await readFile(full, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
          fileName: full,
        });
        const target = path.join(out, path.relative(root, full)).replace(/\.ts$/, '.js');
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, outputText);
      }
    }
  }
  await walk(path.join(root, 'src'));
  await walk(path.join(root, 'demo'));
  const load = (rel) => import(pathToFileURL(path.join(out, rel.startsWith('demo/') ? rel : `src/${rel}`)).href);
  return {
    compare: await load('baseline/compare.js'),
    update: await load('baseline/update.js'),
    rules: await load('baseline/rules.js'),
    summary: await load('k6/summary.js'),
    sampling: await load('baseline/sampling.js'),
    merge: await load('shard/merge.js'),
    ab: await load('verdict/ab.js'),
    samples: await load('verdict/samples.js'),
    windows: await load('samples/windows.js'),
    duetDecision: await load('verdict/duet/decision.js'),
    duetReplay: await load('verdict/duet/replay.js').catch(() => undefined),
    duetRun: await load('verdict/duet/run.js'),
    demo: await load('demo/target.js').catch((error) => {
      console.error(`note: demo/target.ts did not load (${error.message}); using the bench's own loopback server`);
      return undefined;
    }),
  };
}
