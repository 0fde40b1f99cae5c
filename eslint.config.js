// Lint rules for src/, test/, scenarios/ and scripts. Formatting is prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'build/**',
      'coverage/**',
      'k6-gate-results/**',
      'src/baseline/generated/*.js',
      'src/shard/generated/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        __ENV: 'readonly',
        __VU: 'readonly',
        __ITER: 'readonly',
        open: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Layers point down (docs/architecture.md, "Layers"): each folder lists what it must not import.
  ...layerRules(),
  ...demoRules(),
  // Size (docs/architecture.md, "Size"): a module over 400 lines, a function over 80, is split, or
  // listed below with the reason it is not (the module's header says it too).
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, IIFEs: true }],
    },
  },
  {
    // A table: one entry per input, one declaration (its header says so).
    files: ['src/input-spec.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // Tests build malformed documents on purpose.
    files: ['test/**/*.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

/**
 * One `no-restricted-imports` block per layer. `up` = relative-import regexes (matched against the
 * import string, e.g. `../gate/gate.js`) of the layers above, which the layer must not import.
 */
function layerRules() {
  const ENTRIES = String.raw`(main|cli|bin|index|inputs|input-spec)\.js$|commands/`;
  const rule = (files, up, message, extra = []) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: String.raw`^(\./|(\.\./)+)(${up})`, message }, ...extra] }],
    },
  });
  const why = (layer, allowed) => `${layer} must not import a layer above it; it may import ${allowed} (docs/architecture.md, "Layers")`;
  return [
    rule(
      ['src/model.ts', 'src/json.ts', 'src/errors.ts', 'src/cancel.ts', 'src/folder.ts'],
      '.*',
      why('the bottom (model, json, errors, cancel, folder)', 'nothing of src/'),
    ),
    rule(
      ['src/k6/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|baseline/|report/|shard/|scenarios\.js$|environments\.js$`,
      why('k6/', 'model, json, log, url, config and other k6/ modules'),
    ),
    rule(
      ['src/baseline/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|report/|shard/|scenarios\.js$|environments\.js$|k6/(?!summary\.js$)`,
      why('baseline/', 'model, json, k6/summary (pure) and other baseline/ modules'),
    ),
    rule(
      ['src/report/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|shard/|scenarios\.js$|environments\.js$|config\.js$|k6/(?!summary\.js$)`,
      why('report/ (pure renderers)', 'model, json, k6/summary and the pure baseline/ modules'),
      [
        {
          regex: String.raw`^(\.\./)+baseline/(format|rules|update|commands)\.js$`,
          allowTypeImports: true,
          message:
            'report/ is pure: it may import types from baseline/ files that do I/O, and values only from the pure ones (compare, stats)',
        },
      ],
    ),
    rule(
      ['src/shard/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|report/`,
      why('shard/', 'model, log, config, scenarios, k6/ and baseline/'),
    ),
    // Every platform folder alike (github/, gitlab/, local/ and any new one): nothing above it, and
    // no other platform's folder (`../<name>/…`); the shared platform modules are `../<file>.js`.
    rule(
      ['src/platform/*/**/*.ts'],
      String.raw`gate/|${ENTRIES}|shard/|k6/(install|run|tool-cache|preflight)\.js$`,
      why('a platform folder', 'the platform interface and shared modules, report, baseline (pure), model, config, log, http'),
      [
        {
          regex: String.raw`^\.\./[^./][^/]*/`,
          message:
            'a platform folder must not import a layer above it, nor another platform\'s folder: what two platforms share lives in src/platform/*.ts (docs/architecture.md, "Adding a CI platform")',
        },
      ],
    ),
    // The interface, the registry and what every platform shares (sticky comment, error report).
    rule(
      ['src/platform/*.ts'],
      String.raw`gate/|${ENTRIES}|shard/|k6/(install|run|tool-cache|preflight)\.js$`,
      why('platform/ (interface, registry, sticky comment)', 'its platforms, report, model, config, log, http'),
    ),
    rule(
      ['src/notify/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|shard/|verdict/|samples/|k6/|observability/`,
      why('notify/', 'report/ (pure), pure baseline/ and the shared modules'),
    ),
    rule(
      ['src/observability/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|shard/|verdict/|samples/|k6/|notify/|report/`,
      why('observability/', 'pure baseline/ and the shared modules'),
    ),
    rule(
      ['src/gate/**/*.ts'],
      String.raw`platform/|${ENTRIES}`,
      why(
        'gate/ (the orchestration)',
        'verdict/, shard/, samples/, k6/, baseline/, report/, notify/, observability/ and the shared modules',
      ),
    ),
    rule(
      ['src/verdict/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|shard/|report/|notify/`,
      why('verdict/', 'samples/, baseline/, k6/ and the shared modules'),
    ),
    rule(
      ['src/samples/**/*.ts'],
      String.raw`platform/|gate/|${ENTRIES}|shard/|verdict/|report/|notify/`,
      why('samples/', 'k6/, observability/, pure baseline/ and the shared modules'),
    ),
    rule(
      [
        'src/config.ts',
        'src/scenarios.ts',
        'src/environments.ts',
        'src/url.ts',
        'src/http.ts',
        'src/log.ts',
        'src/version.ts',
        'src/file-lock.ts',
        'src/format.ts',
        'src/atomic-file.ts',
        'src/config-file.ts',
        'src/metric-kind.ts',
        'src/results-lock.ts',
        'src/load-policy.ts',
      ],
      String.raw`platform/|gate/|${ENTRIES}`,
      why('the shared modules of src/', 'model, json and each other'),
    ),
  ];
}

/**
 * The demo target (demo/) is a stand-in service for the demo, the tests and the benchmarks, not
 * product code: in src/ only the demo commands (src/commands/demo.ts) may import it, statically or
 * with import(); and it imports nothing of src/ but the error base class, so it never grows into the
 * product. Its own rule names (not the layers' no-restricted-imports), so no layer block overrides them.
 */
function demoRules() {
  const message =
    'demo/ (the demo target, a stand-in service) is not product code: in src/ only src/commands/demo.ts may import it (docs/architecture.md, "Layers")';
  return [
    {
      files: ['src/**/*.ts'],
      ignores: ['src/commands/demo.ts'],
      rules: {
        '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: String.raw`^(\./|(\.\./)+)demo/`, message }] }],
        // esquery regexes cannot hold a slash: \x2F is one.
        'no-restricted-syntax': [
          'error',
          { selector: String.raw`ImportExpression[source.value=/^(\.\x2F|(\.\.\x2F)+)demo\x2F/]`, message },
        ],
      },
    },
    {
      files: ['demo/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: String.raw`^\.\./(?!src/errors\.js$)`,
                message:
                  'demo/ (the demo target) imports nothing of src/ or test/ but src/errors.js: it is a stand-in service, not a part of the product (docs/architecture.md, "Layers")',
              },
            ],
          },
        ],
      },
    },
  ];
}
