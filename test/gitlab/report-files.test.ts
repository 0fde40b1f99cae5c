// junit.xml and load-performance.json have one writer (the pipeline's writeReports); the GitLab
// publisher adds only its own files and never rewrites them.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createTerminalLogger } from '../../src/log.js';
import { writeReports } from '../../src/gate/report.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { gateResult } from './fixtures.js';

describe('GitLab report files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-report-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are written once, by the pipeline; publishing to GitLab adds the dotenv file and leaves them as they are', async () => {
    const result = gateResult();
    await writeReports({ resultsDir: dir } as Config, result);
    const junit = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    const loadPerformance = await readFile(path.join(dir, 'load-performance.json'), 'utf8');
    expect(junit).toContain('<testsuites');
    expect(JSON.parse(loadPerformance).metrics.http_reqs.rate).toBe(39.5);
    // Marked copies: a second writer would replace them.
    await writeFile(path.join(dir, 'junit.xml'), `${junit}<!-- pipeline -->`);
    await writeFile(path.join(dir, 'load-performance.json'), `${loadPerformance} `);

    const lines: string[] = [];
    await publishGitLab(result, { resultsDir: dir, log: createTerminalLogger({ write: (l) => lines.push(l) }), env: {} });

    expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toBe(`${junit}<!-- pipeline -->`);
    expect(await readFile(path.join(dir, 'load-performance.json'), 'utf8')).toBe(`${loadPerformance} `);
    expect((await readdir(dir)).sort()).toEqual([
      'comparison.json',
      'gate-report.html',
      'junit.xml',
      'k6-gate.env',
      'load-performance.json',
      'report.md',
    ]);
  });
});
