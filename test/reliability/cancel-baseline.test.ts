// A stop request (Ctrl-C, a job cancel) after k6 ended, while the gate waits to write the baseline:
// the cancel is honoured at once, nothing is written, and the run says so.
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { lockFileFor } from '../../src/baseline/store.js';
import { Cancellation } from '../../src/cancel.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';
import { script } from './support.js';

const QUICK = `import { sleep } from 'k6';
export const options = { vus: 1, iterations: 3 };
export default function () { sleep(0.05); }
`;

describe('a stop request while the baseline is being written', () => {
  it('waiting for another gate’s baseline lock: the cancel is honoured at once, nothing is written', async () => {
    const ws = await tempWorkspace();
    const config = testConfig(ws, { scenarios: [await script(ws, 'quick.js', QUICK)], profile: undefined, updateBaseline: 'always' });
    // Another gate (this live process, as far as the lock says) holds the baseline's lock.
    await writeFile(
      lockFileFor(config.baselinePath),
      JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'other', since: new Date().toISOString() }),
    );
    const cancellation = new Cancellation();
    const log = recordingLogger();
    const running = runGate(config, log, { cancellation });
    for (let waited = 0; !log.text().includes('k6 finished'); waited += 50) {
      if (waited > 30_000) throw new Error(`k6 did not finish:\n${log.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = Date.now();
    cancellation.request('SIGTERM');
    const result = await running;
    expect(Date.now() - stoppedAt, 'well before the 60 s lock timeout').toBeLessThan(5000);
    expect(result.cancelled).toBe('SIGTERM');
    expect(exitStatusFor(result)).toBe(2);
    expect(result.baselineUpdated).toBeUndefined();
    expect(result.warnings).toContain(
      'baseline not updated: k6-gate received SIGTERM while waiting for the baseline lock; nothing was written',
    );
    expect(existsSync(config.baselinePath)).toBe(false);
    expect(readdirSync(ws).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(log.text()).toContain('gate CANCELLED (SIGTERM)');
  });
});
