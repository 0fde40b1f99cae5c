// One version, read from package.json, everywhere a file has to spell it out: the CLI's --version
// (src/version.ts; bundles cannot read package.json), the GitLab components' default image tag and the
// npx version, the Containerfile's defaults, and the include/pull examples in the docs. The k6 version the
// image carries and the components default to is the CLI's default (DEFAULT_K6_VERSION in src/config.ts).
//
//   node scripts/sync-version.mjs           rewrite the files (npm runs it in `npm version`, see package.json)
//   node scripts/sync-version.mjs --check   list what is out of step and exit 1 (test/release/version.test.ts)
//   node scripts/sync-version.mjs --root DIR
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const check = args.includes('--check');
const rootIndex = args.indexOf('--root');
const root = path.resolve(rootIndex >= 0 ? args[rootIndex + 1] : path.join(import.meta.dirname, '..'));

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const image = pkg.config?.image;
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`package.json version ${JSON.stringify(version)} is not X.Y.Z`);
if (!image) throw new Error('package.json has no config.image (the image repository, e.g. ghcr.io/<owner>/k6-gate)');
const k6Version = /export const DEFAULT_K6_VERSION = '([^']+)'/.exec(readFileSync(path.join(root, 'src', 'config.ts'), 'utf8'))?.[1];
if (!k6Version) throw new Error('DEFAULT_K6_VERSION not found in src/config.ts');

const SEMVER = String.raw`\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?`;
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** [pattern, replacement] pairs applied to every file below. */
const everywhere = [
  // npx -y k6-gate@X, component refs …/k6-gate@X and …/k6-gate-sharded@X
  [new RegExp(String.raw`(k6-gate(?:-sharded)?@)${SEMVER}\b`, 'g'), `$1${version}`],
  // the image tag
  [new RegExp(String.raw`(${escape(image)}:)${SEMVER}\b`, 'g'), `$1${version}`],
  // remote: includes of a tagged file (GitLab tags carry no v)
  [new RegExp(String.raw`(/-/raw/)v?${SEMVER}(/templates/)`, 'g'), `$1${version}$2`],
  // project: includes pinned to a GitLab tag
  [new RegExp(String.raw`(\n\s+ref: )${SEMVER}\n`, 'g'), `$1${version}\n`],
  // a packed package, before the first release (npm pack names it k6-gate-X.tgz)
  [new RegExp(String.raw`(k6-gate-)${SEMVER}(\.tgz)`, 'g'), `$1${version}$2`],
];
const files = {
  'src/version.ts': [[/(export const VERSION = ')[^']*(')/, `$1${version}$2`]],
  'templates/k6-gate.yml': [[/(k6-version:\n(?:\s+description: .*\n)\s+default: )\S+/, `$1${k6Version}`]],
  'templates/k6-gate-sharded.yml': [[/(k6-version:\n(?:\s+description: .*\n)\s+default: )\S+/, `$1${k6Version}`]],
  Containerfile: [
    [/(ARG VERSION=)\S+/, `$1${version}`],
    [/(ARG K6_VERSION=)\S+/, `$1${k6Version}`],
  ],
  'README.md': [],
  'docs/gitlab.md': [],
  'docs/install.md': [],
  'docs/scale-out.md': [],
  'docs/release.md': [],
  'gitlab-templates/README.md': [],
};

const stale = [];
for (const [file, own] of Object.entries(files)) {
  const full = path.join(root, file);
  let text;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    continue;
  }
  let next = text;
  for (const [pattern, replacement] of [...own, ...everywhere]) next = next.replace(pattern, replacement);
  if (next === text) continue;
  stale.push(file);
  if (!check) writeFileSync(full, next);
}
if (check && stale.length > 0) {
  console.error(
    `sync-version: not at version ${version} (k6 ${k6Version}): ${stale.join(', ')}; run \`node scripts/sync-version.mjs\` (npm version does it)`,
  );
  process.exit(1);
}
console.log(
  stale.length > 0 ? `sync-version: set ${version} (k6 ${k6Version}) in ${stale.join(', ')}` : `sync-version: every file says ${version}`,
);
