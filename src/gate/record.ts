// Step 6: the baseline learns from this run when the mode and the outcome allow it
// (shouldUpdateBaseline) and each run is sane (or the update is forced). Written under the
// baseline's lock, atomically (baseline/store.ts). A cancelled run teaches it nothing.
import { BaselineLockAbandoned, updateBaselineFile } from '../baseline/store.js';
import { historyCuts, runsToRecord, shouldUpdateBaseline, updateBaseline } from '../baseline/update.js';
import type { Judging } from './judge.js';
import type { GateRun } from './result.js';
import type { RunToRecord } from './scenarios.js';

export async function recordBaseline(run: GateRun, runs: readonly RunToRecord[], judging: Judging): Promise<void> {
  const { config, result, log } = run;
  if (config.updateBaseline === 'never') return;
  const notUpdated = (why: string, level: 'info' | 'warning' = 'warning') => {
    result.warnings.push(`baseline not updated: ${why}`);
    log[level](`k6-gate: baseline not updated: ${why}`);
  };
  // A partial run must not teach the baseline anything.
  if (result.cancelled) return void result.warnings.push('baseline not updated: the run was cancelled');
  const decision = shouldUpdateBaseline({
    mode: config.updateBaseline,
    outcome: result.outcome,
    isDefaultBranch: config.git.isDefaultBranch,
  });
  if (!decision.update) return notUpdated(decision.reason, 'info');
  if (runs.length === 0) return log.info('k6-gate: baseline not updated: no scenario produced a summary');
  const { kept, forcedLines, refusals } = runsToRecord(runs, config.updateBaseline === 'force');
  for (const line of forcedLines) {
    result.warnings.push(line);
    log.warning(`k6-gate: ${line}`);
  }
  refusals.forEach((why) => notUpdated(why));
  if (kept.length === 0) return;
  // A stop request while waiting for another gate's lock ends the wait; the write itself is atomic
  // and short, so one that started finishes. Either way the stop is honoured afterwards.
  const waiting = new AbortController();
  const stopListening = run.cancellation.onRequest(() => waiting.abort());
  try {
    // Under the lock, the file is read again: a gate that wrote since this one started is merged, not lost.
    const { before, after } = await updateBaselineFile(config.baselinePath, (current) => updateBaseline(current, kept, judging.rules), {
      log,
      signal: waiting.signal,
    });
    result.baselineUpdated = true;
    for (const line of historyCuts(before, after, judging.rules.historyLimit)) {
      result.warnings.push(line);
      log.warning(`k6-gate: ${line}`);
    }
    log.info(`k6-gate: baseline ${result.baselinePath} updated with ${kept.map((r) => r.key).join(', ')} (${decision.reason})`);
  } catch (error) {
    if (error instanceof BaselineLockAbandoned) {
      notUpdated(`k6-gate received ${run.cancellation.signal} while waiting for the baseline lock; nothing was written`);
    } else notUpdated((error as Error).message);
  } finally {
    stopListening();
  }
  if (run.cancellation.requested) cancelledWhileRecording(run);
}

/** A stop that came after k6 ended: the verdict was complete, the run is still a cancelled one. */
function cancelledWhileRecording(run: GateRun): void {
  const { result, cancellation } = run;
  result.warnings.push(
    `the run was cancelled (k6-gate received ${cancellation.signal}) while the baseline was being recorded; the measured outcome was ${result.outcome}`,
  );
  result.cancelled = cancellation.signal;
  result.outcome = 'error';
  result.failed = true;
}
