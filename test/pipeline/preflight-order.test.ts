// The target's health check starts first and runs while the rules and baseline are read and k6 is
// found; when one of those fails, that is the error told, at once, and the health check stops (it
// would otherwise wait out its whole timeout).
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGate } from '../../src/gate/gate.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';
import { rm, writeFile } from 'node:fs/promises';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('preflight and k6 lookup', () => {
  let ws: string | undefined;
  afterEach(() => (ws ? rm(ws, { recursive: true, force: true }) : undefined));

  it('a missing k6 is reported at once even while the target is still down, and the health check stops', async () => {
    ws = await tempWorkspace();
    const port = await closedPort();
    const log = recordingLogger();
    const started = Date.now();
    const result = await runGate(
      testConfig(ws, {
        scenarios: [{ name: 'smoke', script: path.join(ws, 'smoke.js') }],
        target: `http://127.0.0.1:${port}`,
        healthUrl: `http://127.0.0.1:${port}`,
        preflightTimeoutMs: 20_000,
        k6: { version: '2.2.0', install: 'path', path: path.join(ws, 'no-such-k6') },
      }),
      log,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.outcome).toBe('error');
    expect(result.scenarios[0].error).toMatch(/^k6 could not be installed: /);
    expect(log.text()).not.toContain('did not succeed within');
    // Stopped, not left running: no retry is logged after the run returned.
    const linesAtReturn = log.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(log.lines.slice(linesAtReturn)).toEqual([]);
  });

  it('bad rules are reported at once while the target is still down: the health check, started first, stops', async () => {
    ws = await tempWorkspace();
    const port = await closedPort();
    await writeFile(path.join(ws, 'k6-gate.config.json'), '{"tolerance": "lots"}');
    const log = recordingLogger();
    const started = Date.now();
    const result = await runGate(
      testConfig(ws, {
        scenarios: [{ name: 'smoke', script: path.join(ws, 'smoke.js') }],
        target: `http://127.0.0.1:${port}`,
        healthUrl: `http://127.0.0.1:${port}`,
        preflightTimeoutMs: 20_000,
        configFile: path.join(ws, 'k6-gate.config.json'),
      }),
      log,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.outcome).toBe('error');
    expect(result.scenarios[0].error).toContain('k6-gate.config.json');
    expect(result.scenarios[0].error).toContain('tolerance');
    // Stopped, not left running: no retry is logged after the run returned.
    const linesAtReturn = log.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(log.lines.slice(linesAtReturn)).toEqual([]);
  });
});
