// Step 7: every report file of the results dir, written once here (comparison.json, report.md,
// junit.xml, load-performance.json, gate-report.html). Platforms upload the folder as it is and add only their own
// files (GitLab's dotenv and HTML copy).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { Config } from '../config.js';
import { redactDeep } from '../log.js';
import type { GateResult } from '../model.js';
import { JUNIT_FILE, renderJUnit } from '../report/junit.js';
import { LOAD_PERFORMANCE_FILE, loadPerformanceSourceFile, renderLoadPerformance } from '../report/load-performance.js';
import { GATE_REPORT_FILE, renderHtmlReport } from '../report/html.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { COMPARISON_FILE, REPORT_FILE } from './results-dir.js';
import type { GateRun } from './result.js';

/** Results whose report files are in their results dir (this process wrote them). */
const written = new WeakSet<GateResult>();

/** True once the result's report files were written: entries say "results in …" only then. */
export function wroteResults(result: GateResult): boolean {
  return written.has(result);
}

/**
 * Removes every secret from the result (messages quote k6's output), then writes the reports. A
 * write that fails (a full disk) is an error of the run: what was measured could not be kept.
 */
export async function writeResultFiles(run: GateRun): Promise<void> {
  const { config, result, log } = run;
  // No secret, in any encoding, leaves in a file or comment.
  Object.assign(result, redactDeep(result, config.secrets));
  try {
    await writeReports(config, result);
    written.add(result);
  } catch (error) {
    const message = (error as Error).message;
    result.warnings.push(message);
    result.outcome = 'error';
    result.failed = true;
    log.error(message);
  }
}

/** Every report file of the results dir. */
export async function writeReports(config: Config, result: GateResult): Promise<void> {
  if (!existsSync(config.resultsDir)) return;
  const write = (name: string, text: string) =>
    writeFileAtomic(path.join(config.resultsDir, name), text).catch((error: Error) => {
      throw new Error(`could not write ${name} to ${config.resultsDir}: ${error.message}`);
    });
  await write(COMPARISON_FILE, `${JSON.stringify(result, null, 2)}\n`);
  await write(REPORT_FILE, renderMarkdownReport(result));
  await write(JUNIT_FILE, renderJUnit(result));
  await write(GATE_REPORT_FILE, renderHtmlReport(result));
  // GitLab's load_performance report: the gating scenario's legacy summary export, copied as is.
  const lpSource = loadPerformanceSourceFile(result);
  const lpLegacy = lpSource ? await readFile(path.join(config.resultsDir, lpSource), 'utf8').catch(() => undefined) : undefined;
  const loadPerformance = renderLoadPerformance(result, lpLegacy);
  if (loadPerformance !== undefined) await write(LOAD_PERFORMANCE_FILE, loadPerformance);
}
