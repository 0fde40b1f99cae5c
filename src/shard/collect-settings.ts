// `k6-gate collect`'s settings from its inputs (src/inputs.ts reads them): the runners' token from a
// variable or a file (never a flag, and long enough to keep strangers' pushes out), the address the
// collector listens on, its limits.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';

/** The collect inputs, already parsed one by one (src/input-spec.ts). */
export interface CollectInputs {
  runId: string;
  runners: number | undefined;
  tokenEnv?: string;
  tokenFile?: string;
  listen?: string;
  runnerTimeoutMs: number;
  deadlineMs: number;
  linger: boolean;
}

/** Shorter collector tokens are refused: the token is all that keeps strangers' pushes out of the gate. */
const MIN_COLLECT_TOKEN_LENGTH = 16;

/** `k6-gate collect`'s settings (undefined when not collecting); the token from a variable or a file, never a flag. */
export async function readCollectSettings(
  inputs: CollectInputs,
  env: NodeJS.ProcessEnv,
  workspace: string,
): Promise<NonNullable<Config['collect']>> {
  const { runId, runners, tokenEnv, tokenFile } = inputs;
  if (runners === undefined) throw new ConfigError('collect needs --runners N: how many k6 processes push (the TestRun parallelism)');
  if ((tokenEnv === undefined) === (tokenFile === undefined)) {
    throw new ConfigError(
      "collect needs the runners' Bearer token from exactly one of --token-env NAME (an environment variable) or --token-file FILE (e.g. a mounted Secret); a token is never given on the command line",
    );
  }
  let token: string | undefined;
  if (tokenEnv !== undefined) {
    token = env[tokenEnv];
    if (token === undefined) throw new ConfigError(`--token-env names ${tokenEnv}, but no such environment variable is set`);
  } else {
    const file = path.resolve(workspace, tokenFile!);
    try {
      token = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(
        `--token-file ${JSON.stringify(tokenFile)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a file holding the token`,
        { cause: error },
      );
    }
  }
  if (token.length < MIN_COLLECT_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(
      `the collector's token (${tokenEnv ?? tokenFile}) is ${token.length} characters${/\s/.test(token) ? ' with white space' : ''}; expected at least ${MIN_COLLECT_TOKEN_LENGTH} characters without white space, e.g. from \`openssl rand -hex 16\``,
    );
  }
  const listen = inputs.listen ?? '127.0.0.1:9091';
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  if (!match || Number(match[2]) > 65535) {
    throw new ConfigError(
      `--listen ${JSON.stringify(listen)} is not HOST:PORT; expected e.g. 0.0.0.0:9091 (all addresses) or 127.0.0.1:9091`,
    );
  }
  return {
    runId,
    runners,
    host: match[1].replace(/^\[|\]$/g, ''),
    port: Number(match[2]),
    token,
    runnerTimeoutMs: inputs.runnerTimeoutMs,
    deadlineMs: inputs.deadlineMs,
    linger: inputs.linger,
  };
}
