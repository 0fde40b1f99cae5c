// Prepares the build context of the k6-gate image (Containerfile): the files the image holds, laid out
// as they land in it, so the Containerfile only copies (no RUN: it builds without a container runtime).
//
//   node scripts/image-context.mjs [contextDir]     (default build/image)
//
//   rootfs/opt/k6-gate/            the npm package exactly as `npm pack` makes it (dist/cli.js, scenarios, …)
//   rootfs/usr/local/bin/k6-gate   -> /opt/k6-gate/dist/cli.js
//   rootfs/usr/local/bin/k6        a static k6 (CGO_ENABLED=0), built here from the Go module proxy
//   rootfs/usr/share/licenses/k6/  k6's LICENSE.md (AGPL-3.0) and SOURCE: the exact module version and tag
//   home/                          the non-root user's empty home directory
//   image.env                      VERSION, K6_VERSION, K6_MODULE_SUM: build arguments and tag for the caller
//
// k6 is built with `go build` of go.k6.io/k6/v2@v<K6_VERSION> (the Go checksum database vouches for the
// source) into ~/.cache/k6-gate/static/ and reused from there; K6_GATE_IMAGE_K6 names a static k6 binary
// to use instead. The k6 version is the CLI's default (src/config.ts), so the image's k6 is the one the
// CLI asks for.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const contextDir = path.resolve(process.argv[2] ?? path.join(root, 'build', 'image'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const k6Version = /export const DEFAULT_K6_VERSION = '([^']+)'/.exec(readFileSync(path.join(root, 'src', 'config.ts'), 'utf8'))?.[1];
if (!k6Version) throw new Error('DEFAULT_K6_VERSION not found in src/config.ts');
const k6Major = Number(k6Version.split('.')[0]);
const k6Module = k6Major >= 2 ? `go.k6.io/k6/v${k6Major}` : 'go.k6.io/k6';
const goArch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
if (!goArch) throw new Error(`the image is built for linux/amd64 or linux/arm64; this machine is ${process.arch}`);

/** An expected problem: its message, no stack. */
function fail(message) {
  console.error(`image-context: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

rmSync(contextDir, { recursive: true, force: true });
const rootfs = path.join(contextDir, 'rootfs');
mkdirSync(path.join(rootfs, 'usr', 'local', 'bin'), { recursive: true });
mkdirSync(path.join(contextDir, 'home'), { recursive: true });

// 1. The npm package, exactly what `npm install k6-gate` gets.
const packDir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-image-pack-'));
try {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: root }));
  const appDir = path.join(rootfs, 'opt', 'k6-gate');
  mkdirSync(appDir, { recursive: true });
  run('tar', ['-xzf', path.join(packDir, packed.filename), '-C', appDir, '--strip-components=1', '--no-same-owner']);
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
symlinkSync('/opt/k6-gate/dist/cli.js', path.join(rootfs, 'usr', 'local', 'bin', 'k6-gate'));

// 2. A static k6 from the Go module proxy (or the one K6_GATE_IMAGE_K6 names, checked the same way).
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'k6-gate', 'static');
const cached = path.join(cacheDir, `k6-v${k6Version}-linux-${goArch}`);
let k6Binary = cached;
let info;
if (process.env.K6_GATE_IMAGE_K6) {
  k6Binary = path.resolve(process.env.K6_GATE_IMAGE_K6);
  info = run('go', ['version', '-m', k6Binary]);
} else {
  const buildInfo = `${cached}.buildinfo`;
  if (!existsSync(cached) || !existsSync(buildInfo)) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-image-k6-'));
    try {
      writeFileSync(path.join(work, 'go.mod'), `module k6build\n\ngo 1.24\n\nrequire ${k6Module} v${k6Version}\n`);
      const started = Date.now();
      console.error(`building a static k6 v${k6Version} (CGO_ENABLED=0 go build ${k6Module}) …`);
      run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(work, 'k6'), k6Module], {
        cwd: work,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: goArch, GOFLAGS: '-mod=mod -buildvcs=false', GOWORK: 'off' },
      });
      console.error(`built k6 in ${Math.round((Date.now() - started) / 1000)} s`);
      mkdirSync(cacheDir, { recursive: true });
      cpSync(path.join(work, 'k6'), cached);
      writeFileSync(buildInfo, run('go', ['version', '-m', cached]));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  info = readFileSync(buildInfo, 'utf8');
}
const modLine = info.split('\n').find((line) => /^\s*mod\s/.test(line));
const [, modPath, modVersion, modSum] = modLine?.trim().split(/\s+/) ?? [];
if (modPath !== k6Module || modVersion !== `v${k6Version}`) {
  const is = modLine ? `${modPath} ${modVersion}` : 'not a Go binary with build info';
  fail(`the k6 for the image (${k6Binary}) is ${is}; expected ${k6Module} v${k6Version}, the CLI's default k6`);
}
if (!/\bCGO_ENABLED=0\b/.test(info)) {
  const cgo = /\bCGO_ENABLED=(\S+)/.exec(info)?.[1] ?? 'unknown';
  fail(
    `the k6 for the image (${k6Binary}) was built with CGO_ENABLED=${cgo}; expected a static build (CGO_ENABLED=0), as k6's own releases are`,
  );
}
cpSync(k6Binary, path.join(rootfs, 'usr', 'local', 'bin', 'k6'));
chmodSync(path.join(rootfs, 'usr', 'local', 'bin', 'k6'), 0o755);

// 3. k6's license and the exact source it was built from (AGPL-3.0 section 6: the source stays findable).
const licenses = path.join(rootfs, 'usr', 'share', 'licenses', 'k6');
mkdirSync(licenses, { recursive: true });
const modCache = run('go', ['env', 'GOMODCACHE']).trim();
const moduleDir = path.join(modCache, ...k6Module.split('/').slice(0, -1), `${k6Module.split('/').at(-1)}@v${k6Version}`);
cpSync(path.join(moduleDir, 'LICENSE.md'), path.join(licenses, 'LICENSE.md'));
writeFileSync(
  path.join(licenses, 'SOURCE'),
  [
    `k6 v${k6Version} (/usr/local/bin/k6) is licensed under the GNU Affero General Public License v3.0 (LICENSE.md here).`,
    `It was built, unmodified, from the Go module ${k6Module}@v${k6Version} (go.sum ${modSum}),`,
    `which is the source tree of the tag v${k6Version} at https://github.com/grafana/k6/tree/v${k6Version}`,
    `with: CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" ${k6Module}`,
    'k6-gate (/opt/k6-gate, MIT) runs k6 as a separate program and does not link it.',
    '',
    '`go version -m /usr/local/bin/k6` output at build time:',
    info.trim().replace(k6Binary, '/usr/local/bin/k6'),
    '',
  ].join('\n'),
);

writeFileSync(path.join(contextDir, 'image.env'), `VERSION=${pkg.version}\nK6_VERSION=${k6Version}\nK6_MODULE_SUM=${modSum}\n`);
console.log(contextDir);
