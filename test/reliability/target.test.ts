// A target that cannot be reached or answers only errors: the preflight names the cause before any
// load is sent, and a target that fails every request is never reported as a pass.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { resolveScenario } from '../../src/scenarios.js';
import { tempWorkspace } from '../helpers/gate.js';
import { gate, readText } from './support.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 11 });
});
afterAll(() => target.close());

describe('target faults found by the preflight', () => {
  it('a host name that does not resolve is reported as a DNS failure and k6 never starts', async () => {
    const ws = await tempWorkspace();
    const url = 'http://k6-gate-reliability.invalid';
    const run = await gate(ws, {
      scenarios: [await resolveScenario('http-endpoints', ws)],
      profile: 'smoke',
      target: url,
      healthUrl: `${url}/health`,
      preflightTimeoutMs: 1200,
    });
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(
      /target health check http:\/\/k6-gate-reliability\.invalid\/health did not succeed .*DNS lookup failed \(ENOTFOUND\)/,
    );
    expect(run.log).not.toMatch(/\$ k6 run/);
    expect(existsSync(path.join(run.config.resultsDir, 'k6-http-endpoints.log'))).toBe(false);
    expect(readText(run.config.resultsDir, 'report.md')).toContain('DNS lookup failed');
  });

  it('an https target with a certificate nobody trusts is reported as a TLS error and k6 never starts', async () => {
    const ws = await tempWorkspace();
    const key = path.join(ws, 'key.pem');
    const cert = path.join(ws, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
      { stdio: 'ignore' },
    );
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await gate(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        profile: 'smoke',
        target: url,
        healthUrl: `${url}/health`,
        preflightTimeoutMs: 1200,
      });
      expect(run.result.outcome).toBe('error');
      expect(run.status).toBe(2);
      expect(run.result.scenarios[0].error).toMatch(/TLS error \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
      expect(run.log).not.toMatch(/\$ k6 run/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a target that fails every request', () => {
  it("crosses the scenario's default error-rate and checks thresholds: thresholds-failed, exit 1", async () => {
    const ws = await tempWorkspace();
    target.setKnobs({ errorRate: 1 });
    try {
      const run = await gate(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        profile: 'smoke',
        target: target.url,
        healthUrl: `${target.url}/health`,
        env: { VUS: '2', DURATION: '2s', THINK_TIME: '0.05' },
      });
      const s = run.result.scenarios[0];
      expect(s.exitCode).toBe(99);
      expect(run.result.outcome).toBe('thresholds-failed');
      expect(run.status).toBe(1);
      // Every API request failed; only the setup's health check (not errored by the knob) succeeded.
      expect(s.summary?.metrics.http_req_failed.values.rate).toBeGreaterThan(0.9);
      expect(s.summary?.metrics.checks.values.rate).toBeLessThan(0.1);
      const crossed = s.thresholds.filter((t) => !t.ok).map((t) => t.metric);
      expect(crossed).toEqual(expect.arrayContaining(['http_req_failed', 'checks']));
      const report = readText(run.config.resultsDir, 'report.md');
      expect(report).toMatch(/http_req_failed/);
      expect(report).toMatch(/rate<0\.01/);
    } finally {
      target.setKnobs({ errorRate: 0 });
    }
  });
});
