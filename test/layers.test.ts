// The layer rule (eslint no-restricted-imports per folder, eslint.config.js) fails an upward import
// and lets a downward one through. ESLint runs here on fixture text placed at paths inside src/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => RESTRICTING_RULES.includes(m.ruleId ?? '')).map((m) => m.message);
}

/** The layers' rule, and the demo rule's two (a static import, an import() expression). */
const RESTRICTING_RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax'];

describe('layer rule', () => {
  it.each([
    ['src/report/fixture.ts', "import { runGate } from '../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/report/fixture.ts', "import { publishGitLab } from '../platform/gitlab/publish.js';\nexport const x = publishGitLab;\n"],
    ['src/report/fixture.ts', "import { loadBaseline } from '../baseline/format.js';\nexport const x = loadBaseline;\n"],
    ['src/baseline/fixture.ts', "import { renderMarkdownReport } from '../report/markdown.js';\nexport const x = renderMarkdownReport;\n"],
    ['src/baseline/fixture.ts', "import { runK6 } from '../k6/run.js';\nexport const x = runK6;\n"],
    ['src/k6/fixture.ts', "import { publishGitHub } from '../platform/github/publish.js';\nexport const x = publishGitHub;\n"],
    ['src/k6/fixture.ts', "import { main } from '../cli.js';\nexport const x = main;\n"],
    ['src/platform/github/fixture.ts', "import { runGate } from '../../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/platform/gitlab/fixture.ts', "import { postComment } from '../github/comment.js';\nexport const x = postComment;\n"],
    ['src/platform/local/fixture.ts', "import { githubThread } from '../github/comment.js';\nexport const x = githubThread;\n"],
    ['src/platform/fixture.ts', "import { runGate } from '../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/http.ts', "import { detectPlatform } from './platform/registry.js';\nexport const x = detectPlatform;\n"],
    ['src/gate/fixture.ts', "import { main } from '../main.js';\nexport const x = main;\n"],
    ['src/scenarios.ts', "import { runGate } from './gate/gate.js';\nexport const x = runGate;\n"],
    ['src/gate/fixture.ts', "import { commandRun } from '../commands/run.js';\nexport const x = commandRun;\n"],
    ['src/verdict/fixture.ts', "import { runGate } from '../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/samples/fixture.ts', "import { runAB } from '../verdict/ab.js';\nexport const x = runAB;\n"],
    ['src/shard/fixture.ts', "import { runDemo } from '../commands/demo.js';\nexport const x = runDemo;\n"],
    ['src/notify/fixture.ts', "import { runGate } from '../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/notify/sinks/fixture.ts', "import { runK6 } from '../../k6/run.js';\nexport const x = runK6;\n"],
    ['src/observability/fixture.ts', "import { sendNotifications } from '../notify/send.js';\nexport const x = sendNotifications;\n"],
    ['src/errors.ts', "import { ConfigError } from './config.js';\nexport const x = ConfigError;\n"],
    ['src/results-lock.ts', "import { runGate } from './gate/gate.js';\nexport const x = runGate;\n"],
  ])('fails an upward import in %s: %s', async (file, code) => {
    const messages = await restrictedImports(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/must not import a layer above it|report\/ is pure/);
  });

  it.each([
    ['src/report/fixture.ts', "import { inferDirection } from '../metric-kind.js';\nexport const x = inferDirection;\n"],
    ['src/report/fixture.ts', "import type { BaselineFile } from '../baseline/format.js';\nexport type X = BaselineFile;\n"],
    ['src/baseline/fixture.ts', "import { parseSummary } from '../k6/summary.js';\nexport const x = parseSummary;\n"],
    ['src/gate/fixture.ts', "import { renderJUnit } from '../report/junit.js';\nexport const x = renderJUnit;\n"],
    ['src/gate/fixture.ts', "import { runAB } from '../verdict/ab.js';\nexport const x = runAB;\n"],
    [
      'src/platform/github/fixture.ts',
      "import { renderMarkdownReport } from '../../report/markdown.js';\nexport const x = renderMarkdownReport;\n",
    ],
    ['src/commands/fixture.ts', "import { runGate } from '../gate/gate.js';\nexport const x = runGate;\n"],
    ['src/platform/gitlab/fixture.ts', "import { upsertSticky } from '../sticky.js';\nexport const x = upsertSticky;\n"],
    ['src/platform/fixture.ts', "import { createPatientFetch } from '../http.js';\nexport const x = createPatientFetch;\n"],
    ['src/commands/fixture.ts', "import { detectPlatform } from '../platform/registry.js';\nexport const x = detectPlatform;\n"],
  ])('lets a downward import through in %s: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });

  describe('the demo target (demo/) is not product code', () => {
    it.each([
      [
        'src/notify/fixture.ts',
        'a static import',
        "import { startDemoTarget } from '../../demo/target.js';\nexport const x = startDemoTarget;\n",
      ],
      [
        'src/commands/run.ts',
        'a static import',
        "import { startDemoTarget } from '../../demo/target.js';\nexport const x = startDemoTarget;\n",
      ],
      ['src/gate/fixture.ts', 'a re-export', "export { DEFAULT_DEMO_KNOBS } from '../../demo/target-knobs.js';\n"],
      ['src/cli.ts', 'import()', "export const load = () => import('../demo/target.js');\n"],
      ['src/platform/github/fixture.ts', 'import()', "export const load = () => import('../../../demo/target.js');\n"],
    ])('fails an import of it from product code in %s (%s)', async (file, _how, code) => {
      const messages = await restrictedImports(file, code);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/demo\/ \(the demo target, a stand-in service\) is not product code/);
    });

    it('lets the demo commands import it', async () => {
      const code = "import { startDemoTarget } from '../../demo/target.js';\nexport const x = startDemoTarget;\n";
      expect(await restrictedImports('src/commands/demo.ts', code)).toEqual([]);
    });

    it.each([
      ['the product', "import { runGate } from '../src/gate/gate.js';\nexport const x = runGate;\n"],
      ['the tests', "import { testK6Path } from '../test/helpers/k6.js';\nexport const x = testK6Path;\n"],
    ])('keeps it from importing %s', async (_what, code) => {
      const messages = await restrictedImports('demo/fixture.ts', code);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/demo\/ \(the demo target\) imports nothing of src\/ or test\/ but src\/errors\.js/);
    });

    it('lets it import the error base class and its own modules', async () => {
      const code =
        "import { ExpectedError } from '../src/errors.js';\nimport { createRandom } from './target-random.js';\nexport const x = [ExpectedError, createRandom];\n";
      expect(await restrictedImports('demo/fixture.ts', code)).toEqual([]);
    });
  });
});

describe('every folder and loose file of src/ has its layer', async () => {
  const architecture = readFileSync('docs/architecture.md', 'utf8');
  const table = architecture.slice(architecture.indexOf('## Layers'), architecture.indexOf('Pure modules'));
  const entriesRow = table.split('\n').find((line) => line.startsWith('| entries |')) ?? '';
  const parts = readdirSync('src', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));

  it.each(parts)('%s is in the Layers table of docs/architecture.md', (part) => {
    expect(table).toContain(`\`${part}\``);
  });

  it.each(parts.filter((part) => !entriesRow.includes(`\`${part}\``)))('%s has an ESLint layer rule', async (part) => {
    const file = part.endsWith('/') ? `src/${part}probe.ts` : `src/${part}`;
    const config = await eslint.calculateConfigForFile(file);
    expect(config.rules?.['no-restricted-imports'], file).toBeDefined();
  });

  it.each(parts.filter((part) => entriesRow.includes(`\`${part}\``)))('%s is an entry no lower layer may import', async (part) => {
    const target = part.endsWith('/') ? `./${part}x.js` : `./${part.replace(/\.ts$/, '.js')}`;
    const messages = await restrictedImports('src/http.ts', `import { x } from '${target}';\nexport const y = x;\n`);
    expect(messages).toHaveLength(1);
  });
});

describe('import circles', () => {
  it('no module of src/ imports itself through others (type imports and re-exports included)', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => path.resolve('src', file));
    const edges = new Map<string, string[]>();
    for (const file of files) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
      const targets: string[] = [];
      for (const statement of source.statements) {
        const specifier =
          (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier
            ? (statement.moduleSpecifier as ts.StringLiteral).text
            : undefined;
        if (!specifier?.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (edges.has(target) || files.includes(target)) targets.push(target);
      }
      edges.set(file, targets);
    }
    // Depth-first search; a module met again while still on the path closes a circle.
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open')
          circles.push([...trail.slice(trail.indexOf(next)), next].map((f) => path.relative('src', f)).join(' → '));
        else if (!state.has(next)) visit(next, [...trail, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(circles).toEqual([]);
  });
});
