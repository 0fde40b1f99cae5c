// Notifications against a local fake Slack / webhook server: payloads, retries, timeouts, and the
// URL (a secret) in no output.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromInputs } from '../../src/inputs.js';
import type { GateResult } from '../../src/model.js';
import { sendNotifications } from '../../src/notify/send.js';
import { recordingLogger, tempWorkspace } from '../helpers/gate.js';

interface Fake {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

const servers: Fake[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers each request with the next status of `statuses` (the last one repeats); 0 = never answers. */
async function fakeServer(statuses: number[], headers: Record<string, string> = {}): Promise<Fake> {
  const bodies: unknown[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      const status = statuses[Math.min(n++, statuses.length - 1)];
      if (status === 0) return; // hang
      res.writeHead(status, status === 429 ? headers : {});
      res.end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fake = {
    // The path stands for the secret part of a real Slack URL.
    url: `http://127.0.0.1:${port}/services/T000/B000/s3cr3t-hook-token`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()),
  };
  servers.push(fake);
  return fake;
}

const regressed: GateResult = {
  schemaVersion: 1,
  tool: { name: 'k6-gate', version: '0.1.0' },
  generatedAt: '2026-11-25T23:00:00.000Z',
  target: 'http://127.0.0.1:8080',
  outcome: 'regressed',
  failOn: ['regression'],
  failed: true,
  regressions: 1,
  thresholdsFailed: 0,
  warnings: [],
  links: [{ label: 'run', url: 'https://ci.example/run/1' }],
  scenarios: [
    {
      scenario: 'checkout',
      key: 'checkout',
      outcome: 'regressed',
      thresholds: [],
      files: {},
      metrics: [
        {
          metric: 'http_req_duration',
          stat: 'p(95)',
          unit: 'ms',
          direction: 'lower-is-better',
          verdict: 'regressed',
          method: 'tolerance',
          samples: 5,
          tolerance: 0.1,
          baseline: 100,
          current: 150,
          change: 0.5,
          note: 'p(95) 150 ms vs 100 ms',
        },
      ] as GateResult['scenarios'][0]['metrics'],
      analysis: {
        samples: 100,
        endpointCount: 1,
        endpoints: [{ endpoint: 'POST create order', requests: 10, failed: 2, failureRate: 0.2, avg: 120, med: 110, p95: 150, max: 160 }],
        errors: [],
        failedChecks: [],
      },
    },
  ],
};

const fast = { backoffMs: 10, timeoutMs: 300 };

describe('notifications', () => {
  it('posts a Slack message with blocks naming the regressed metric and the slowest endpoint; the log names the variable, never the URL', async () => {
    const slack = await fakeServer([200]);
    const log = recordingLogger();
    const warnings = await sendNotifications(
      { targets: [{ kind: 'slack', envName: 'SLACK_URL', url: slack.url }], on: 'regression' },
      regressed,
      log,
      fast,
    );
    expect(warnings).toEqual([]);
    const body = slack.bodies[0] as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(body.text).toBe('❌ k6-gate: performance regressed — 1 regression(s), 0 crossed threshold(s)');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '❌ k6-gate: performance regressed', emoji: true },
    });
    expect(body.blocks[2].text!.text).toContain('• `http_req_duration` p(95): 100 ms → 150 ms (+50.0%)');
    expect(body.blocks[2].text!.text).toContain('slowest endpoint: `POST create order` p(95) 150 ms');
    expect(log.text()).toContain('slack notification sent (URL from SLACK_URL)');
    expect(log.text()).not.toContain('s3cr3t');
  });

  it('posts the documented JSON subset to a generic webhook', async () => {
    const hook = await fakeServer([200]);
    await sendNotifications(
      { targets: [{ kind: 'webhook', envName: 'HOOK', url: hook.url }], on: 'always' },
      regressed,
      recordingLogger(),
      { ...fast, commit: 'abc123' },
    );
    expect(hook.bodies[0]).toMatchObject({
      outcome: 'regressed',
      failed: true,
      commit: 'abc123',
      regressions: 1,
      scenarios: [
        {
          scenario: 'checkout',
          regressed: [{ metric: 'http_req_duration', stat: 'p(95)', baseline: 100, current: 150, change: 0.5, unit: 'ms' }],
          endpoints: [{ endpoint: 'POST create order', p95: 150 }],
        },
      ],
    });
  });

  it('retries 429 (honouring Retry-After) and 5xx, then delivers', async () => {
    const limited = await fakeServer([429, 200], { 'retry-after': '0' });
    const flaky = await fakeServer([503, 502, 200]);
    const warnings = await sendNotifications(
      {
        targets: [
          { kind: 'slack', envName: 'A', url: limited.url },
          { kind: 'webhook', envName: 'B', url: flaky.url },
        ],
        on: 'regression',
      },
      regressed,
      recordingLogger(),
      fast,
    );
    expect(warnings).toEqual([]);
    expect(limited.bodies).toHaveLength(2);
    expect(flaky.bodies).toHaveLength(3);
  });

  it('a server that keeps failing, refuses the request or never answers is a warning without the URL', async () => {
    const down = await fakeServer([500]);
    const gone = await fakeServer([404]);
    const hangs = await fakeServer([0]);
    const log = recordingLogger();
    const warnings = await sendNotifications(
      {
        targets: [
          { kind: 'webhook', envName: 'DOWN', url: down.url },
          { kind: 'webhook', envName: 'GONE', url: gone.url },
          { kind: 'slack', envName: 'HANGS', url: hangs.url },
        ],
        on: 'regression',
      },
      regressed,
      log,
      { ...fast, attempts: 2 },
    );
    expect(warnings).toEqual([
      'could not send the webhook notification (URL from DOWN): HTTP 500 after 2 attempt(s)',
      'could not send the webhook notification (URL from GONE): HTTP 404 (not retried: check the URL in GONE)',
      'could not send the slack notification (URL from HANGS): no answer within 300 ms after 2 attempt(s)',
    ]);
    expect(down.bodies).toHaveLength(2);
    expect(gone.bodies).toHaveLength(1);
    expect(log.text()).not.toContain('s3cr3t');
  });

  it('notify-on decides: a passed run sends nothing unless always', async () => {
    const hook = await fakeServer([200]);
    const passed = { ...regressed, outcome: 'passed' as const, failed: false, regressions: 0 };
    const targets = [{ kind: 'webhook' as const, envName: 'HOOK', url: hook.url }];
    await sendNotifications({ targets, on: 'regression' }, passed, recordingLogger(), fast);
    await sendNotifications({ targets, on: 'error' }, regressed, recordingLogger(), fast);
    expect(hook.bodies).toHaveLength(0);
    await sendNotifications({ targets, on: 'always' }, passed, recordingLogger(), fast);
    expect(hook.bodies).toHaveLength(1);
  });

  describe('inputs', () => {
    const read = async (inputs: Record<string, string>, env: Record<string, string>) =>
      configFromInputs((name) => inputs[name], { workspace: await tempWorkspace(), env });

    it('reads notify targets from environment variables and registers the URLs as secrets', async () => {
      const config = await read(
        { scenarios: 'http-endpoints', notify: 'slack=SLACK_URL, webhook=HOOK', 'notify-on': 'always' },
        { SLACK_URL: 'https://hooks.slack.com/services/x', HOOK: 'http://127.0.0.1:1/h' },
      );
      expect(config.notify).toEqual({
        on: 'always',
        targets: [
          { kind: 'slack', envName: 'SLACK_URL', url: 'https://hooks.slack.com/services/x' },
          { kind: 'webhook', envName: 'HOOK', url: 'http://127.0.0.1:1/h' },
        ],
      });
      expect(config.secrets).toEqual(expect.arrayContaining(['https://hooks.slack.com/services/x', 'http://127.0.0.1:1/h']));
    });

    it('rejects a bad entry, a missing variable, a value that is not a URL (without quoting it) and a bad notify-on', async () => {
      await expect(read({ scenarios: 'http-endpoints', notify: 'slack:X' }, {})).rejects.toThrow(
        /notify entry "slack:X" is not kind=VARIABLE; expected e\.g\. slack=SLACK_WEBHOOK_URL/,
      );
      await expect(read({ scenarios: 'http-endpoints', notify: 'slack=NOPE' }, {})).rejects.toThrow(
        /notify names NOPE, but no such environment variable is set/,
      );
      const notUrl = read({ scenarios: 'http-endpoints', notify: 'slack=S' }, { S: 'xoxb-secret-token' });
      await expect(notUrl).rejects.toThrow('the value of S is not an http(s) URL; expected a Slack incoming-webhook URL');
      await expect(
        read({ scenarios: 'http-endpoints', notify: 'slack=S', 'notify-on': 'sometimes' }, { S: 'https://x/y' }),
      ).rejects.toThrow(/notify-on "sometimes" is not valid; expected regression, error or always/);
    });
  });
});
