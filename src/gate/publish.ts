// Step 8: after the files, what leaves the machine: the verdict's series pushed to the metrics
// output and the notifications. A failure here changes neither the files nor the verdict (a
// warning on the log only). Then the verdict's one log line.
import { sendNotifications } from '../notify/send.js';
import { pushGateSeries } from '../observability/push.js';
import type { GateRun } from './result.js';

export async function publishAndNotify(run: GateRun): Promise<void> {
  const { config, result, log } = run;
  await pushGateSeries(config, result, log);
  if (config.notify) await sendNotifications(config.notify, result, log, { commit: config.git.commit });
}

export function logVerdict(run: GateRun): void {
  const { result } = run;
  const verdict = result.cancelled ? `CANCELLED (${result.cancelled})` : result.failed ? 'FAILED' : 'ok';
  run.log.info(
    `k6-gate: outcome ${result.outcome} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)` +
      `${result.inconclusive ? `, ${result.inconclusive} inconclusive scenario(s)` : ''} — gate ${verdict}`,
  );
}
