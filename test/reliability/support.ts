// Shared pieces of the reliability tests: tiny k6 scripts, file reads, and a gate run that keeps
// everything a user would look at (the result, the exit status, the log, the results dir).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Config } from '../../src/config.js';
import type { GateResult } from '../../src/model.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { resolveScenario } from '../../src/scenarios.js';
import { recordingLogger, testConfig } from '../helpers/gate.js';

export interface GateRun {
  result: GateResult;
  status: 0 | 1 | 2;
  log: string;
  config: Config;
}

/** Writes `body` as a k6 script in the workspace and returns its scenario spec. */
export async function script(ws: string, file: string, body: string) {
  await writeFile(path.join(ws, file), body);
  return resolveScenario(file, ws);
}

export async function gate(ws: string, over: Partial<Config>): Promise<GateRun> {
  const log = recordingLogger();
  const config = testConfig(ws, { profile: undefined, ...over });
  const result = await runGate(config, log);
  return { result, status: exitStatusFor(result), log: log.text(), config };
}

export const readText = (dir: string, name: string) => readFileSync(path.join(dir, name), 'utf8');

/** Every file below `dir` with its text (gzip files unpacked), for leak searches. */
export function allFiles(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      out.push(...allFiles(full));
      continue;
    }
    const bytes = readFileSync(full);
    out.push({ file: full, text: (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8') });
  }
  return out;
}
