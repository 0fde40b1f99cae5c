// The notification sink registry (src/notify/sinks/index.ts): every registered kind is accepted by
// the notify input and posts its own body; a kind no sink has is refused before a run and never sent
// another kind's body.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromInputs } from '../../src/inputs.js';
import { sendNotifications } from '../../src/notify/send.js';
import { NOTIFY_SINKS, sinkKinds } from '../../src/notify/sinks/index.js';
import { regressedResult } from '../helpers/builders.js';
import { recordingLogger, tempWorkspace } from '../helpers/gate.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A local endpoint that answers 200 and keeps the JSON bodies it got. */
async function receiver(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook-secret`, bodies };
}

describe('notification sinks', () => {
  it.each(NOTIFY_SINKS.map((sink) => [sink.kind, sink] as const))(
    '%s: read from the notify input, posts its own body, has its own test',
    async (kind, sink) => {
      expect(existsSync(`test/notify/sinks/${kind}.test.ts`), `test/notify/sinks/${kind}.test.ts`).toBe(true);
      const hook = await receiver();
      const ws = await tempWorkspace();
      const config = await configFromInputs(
        (name) => ({ scenarios: 'http-endpoints', notify: `${kind}=HOOK_URL`, 'notify-on': 'always' })[name],
        {
          workspace: ws,
          env: { HOOK_URL: hook.url },
        },
      );
      expect(config.notify?.targets).toEqual([{ kind, envName: 'HOOK_URL', url: hook.url }]);
      const result = regressedResult();
      const warnings = await sendNotifications(config.notify!, result, recordingLogger(), { timeoutMs: 2000 });
      expect(warnings).toEqual([]);
      expect(hook.bodies).toEqual([JSON.parse(JSON.stringify(sink.body(result)))]);
    },
  );

  it('a kind no sink has is refused before the run, naming the known kinds', async () => {
    const ws = await tempWorkspace();
    await expect(
      configFromInputs((name) => ({ scenarios: 'http-endpoints', notify: 'pigeon=PIGEON_URL' })[name], {
        workspace: ws,
        env: { PIGEON_URL: 'https://example.com/hook' },
      }),
    ).rejects.toThrow(`notify entry "pigeon=PIGEON_URL": "pigeon" is not a notification kind; expected ${sinkKinds()}`);
  });

  it('a target of a kind no sink has is never sent another kind’s body: nothing is posted, a warning says why', async () => {
    const hook = await receiver();
    const log = recordingLogger();
    const warnings = await sendNotifications(
      { targets: [{ kind: 'pigeon', envName: 'PIGEON_URL', url: hook.url }], on: 'always' },
      regressedResult(),
      log,
    );
    expect(hook.bodies).toEqual([]);
    expect(warnings).toEqual([
      `could not send the pigeon notification (URL from PIGEON_URL): "pigeon" is not a notification kind; expected ${sinkKinds()} (not sent)`,
    ]);
    expect(log.text()).not.toContain('hook-secret');
  });
});
