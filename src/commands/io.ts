// What every CLI command is given: its arguments' surroundings and where it prints.
import type { Cancellation } from '../cancel.js';

export interface CliIO {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Fed by the process's SIGINT/SIGTERM (bin.ts): a run stops gracefully and exits 130/143. */
  cancellation?: Cancellation;
}
