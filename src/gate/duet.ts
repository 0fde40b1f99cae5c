// Step 4, A/B duet: the scenario against baseline-target (A) and target (B) at the same time
// (verdict/duet/run.ts), k6 given exactly what one run of the scenario gets (its variables, the
// user's k6 arguments, secrets, the workspace as working directory); B's k6 thresholds read from
// B's runs; the result mapped for the report (verdict/duet/scenario-result.ts); the windows kept
// in a file the noise lab can replay. A duet's numbers are never a baseline (gate/scenarios.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ExpectedError } from '../errors.js';
import { safeFileName } from '../k6/files.js';
import type { InstalledK6 } from '../k6/install.js';
import { parseSummary } from '../k6/summary.js';
import { guessContains } from '../metric-kind.js';
import type { ScenarioResult, ThresholdResult } from '../model.js';
import type { SideWindow } from '../samples/windows.js';
import { DEFAULT_DUET_OPTIONS, type DuetOptions, type DuetStat } from '../verdict/duet/decision.js';
import { DUET_BLOCK_MS, DUET_MAX_DURATION_MS, runDuet, type DuetRunResult } from '../verdict/duet/run.js';
import { duetScenarioResult, duetStatsOf } from '../verdict/duet/scenario-result.js';
import { baselineHealthUrl } from './k6-and-target.js';
import { newScenarioResult } from './result.js';
import { k6Variables, type ScenarioStep } from './scenario-run.js';

/** The scenario measured as a duet of baseline-target (A) and target (B). */
export async function runDuetScenario(step: ScenarioStep, k6: InstalledK6): Promise<ScenarioResult> {
  const { config, log, cancellation, result } = step.run;
  const { spec, judging } = step;
  const scenario = newScenarioResult(config, spec);
  const { stats, left } = duetStatsOf(judging.rules.watch);
  if (left.length > 0) {
    const warning = `${spec.name}: a duet compares trend statistics and http_req_failed:rate only; not compared: ${left.join(', ')}`;
    result.warnings.push(warning);
    log.warning(`k6-gate: ${warning}`);
  }
  if (stats.length === 0) {
    return { ...scenario, outcome: 'error', error: `duet: no watched statistic a duet can compare (watched: ${left.join(', ')})` };
  }
  if (config.metricsOutputs?.length) log.warning('k6-gate: metrics-output is not sent during an A/B duet (its k6 pushes to k6-gate)');
  const options: DuetOptions = { ...DEFAULT_DUET_OPTIONS, minEffect: config.abMinEffect ?? DEFAULT_DUET_OPTIONS.minEffect };
  const blockMs = DUET_BLOCK_MS;
  const maxDurationMs = config.maxDurationMs ?? DUET_MAX_DURATION_MS;
  let duet: DuetRunResult;
  try {
    duet = await runDuet({
      k6Path: k6.path,
      k6Version: k6.version,
      script: spec.script,
      scenario: spec.name,
      resultsDir: config.resultsDir,
      targets: { A: config.baselineTarget!, B: config.target! },
      health: { A: baselineHealthUrl(config) ?? config.baselineTarget, B: config.healthUrl ?? config.target },
      preflightTimeoutMs: config.preflightTimeoutMs,
      // The run's own variables, not its metrics outputs: the duet's k6 push to k6-gate's receiver.
      env: k6Variables({ ...config, metricsOutputs: [] }, k6),
      args: config.k6Args,
      secrets: config.secrets,
      cwd: config.workspace,
      log,
      cancellation,
      blockMs,
      maxDurationMs,
      stats,
      options,
    });
  } catch (error) {
    if (!(error instanceof ExpectedError)) throw error;
    return { ...scenario, outcome: 'error', error: `duet: ${error.message}` };
  }
  const b = await readRunsOfB(duet, config.resultsDir, stats);
  const files: Record<string, string> = {};
  const windowsDir = await writeDuetWindows(duet, config.resultsDir, scenario.key, { blockMs, maxDurationMs }).catch((error: Error) => {
    log.warning(`k6-gate: the duet's windows could not be written: ${error.message}`);
    return undefined;
  });
  if (windowsDir) files.duetWindows = windowsDir;
  const lastB = duet.runs.filter((r) => r.side === 'B').at(-1)?.result;
  if (lastB) files.log = path.basename(lastB.files.log);
  const mapped = duetScenarioResult({
    scenario,
    duet,
    rules: judging.rules.watch,
    timeMetrics: b.timeMetrics,
    options,
    blockMs,
    maxDurationMs,
    thresholds: b.thresholds,
    thresholdsCrossed: b.crossed,
    aa: sameUrl(config.target!, config.baselineTarget!),
    files,
  });
  log.info(`k6-gate: ${mapped.verdictNote}`);
  return mapped;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => new URL(u).toString().replace(/\/+$/, '');
  return norm(a) === norm(b);
}

/**
 * What B's runs say: k6's thresholds over all of them, and which trends are times. Each half is
 * a whole k6 run against B in which k6 evaluates the script's thresholds itself; a threshold is a
 * limit every run must keep, so one crossed in any of B's runs is crossed (a single run crossing
 * it fails too), and it holds only when it held in all. A's runs measure the base version: its
 * crossings do not judge the candidate. Both sides ran beside another k6 on the same machine, so
 * B's absolute numbers carry that load.
 */
async function readRunsOfB(
  duet: DuetRunResult,
  resultsDir: string,
  stats: readonly DuetStat[],
): Promise<{ thresholds: ThresholdResult[]; crossed: boolean; timeMetrics: Set<string> }> {
  const byKey = new Map<string, ThresholdResult>();
  // A trend's unit is k6's word in B's summary, else what its name says (metric-kind.ts).
  const timeMetrics = new Set(stats.filter((st) => guessContains(st.metric, 'trend') === 'time').map((st) => st.metric));
  let crossed = false;
  for (const { side, result } of duet.runs) {
    if (side !== 'B') continue;
    if (result.outcome === 'thresholds-failed') crossed = true;
    const text = await readFile(result.files.summary, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let summary;
    try {
      summary = parseSummary(text, path.relative(resultsDir, result.files.summary));
    } catch {
      continue;
    }
    for (const [name, m] of Object.entries(summary.metrics)) if (m.contains === 'time') timeMetrics.add(name);
    for (const t of summary.thresholds) {
      const key = `${t.metric} ${t.expression}`;
      const seen = byKey.get(key);
      byKey.set(key, { ...t, ok: (seen?.ok ?? true) && t.ok });
    }
  }
  return { thresholds: [...byKey.values()], crossed, timeMetrics };
}

// SideWindow holds Maps (the trend histograms and their buckets); JSON needs arrays.
const encodeWindow = (w: SideWindow) => ({
  ...w,
  trends: [...w.trends].map(([metric, h]) => [metric, { ...h, positive: [...h.positive], negative: [...h.negative] }]),
});

/**
 * The duet's windows as the noise lab's replay reads a recording (bench/duet.mjs, `--duet-replay
 * DIR`): DIR/index.json (`kind: duet`, the block and max-duration, one decision) and the windows of
 * both sides gzipped. The shift of a real run is unknown: `null`. Returns DIR relative to the results dir.
 */
async function writeDuetWindows(
  duet: DuetRunResult,
  resultsDir: string,
  key: string,
  settings: { blockMs: number; maxDurationMs: number },
): Promise<string> {
  const dirName = `duet-windows-${safeFileName(key)}`;
  const dir = path.join(resultsDir, dirName);
  await mkdir(dir, { recursive: true });
  const file = 'windows.json.gz';
  const windows = { A: duet.windows.A.map(encodeWindow), B: duet.windows.B.map(encodeWindow) };
  await writeFile(path.join(dir, file), await promisify(gzip)(JSON.stringify(windows)));
  const index = {
    kind: 'duet',
    settings,
    decisions: [
      {
        profile: key,
        shift: null,
        file,
        outcome: duet.outcome,
        reason: duet.reason,
        k6Seconds: duet.k6Seconds,
        windows: Math.min(duet.windows.A.length, duet.windows.B.length),
      },
    ],
  };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return dirName;
}
