// The CLI's process entry (bundled to dist/cli.js): runs main and exits with its status.
import { Cancellation, exitStatusForSignal, listenForStopSignals } from './cancel.js';
import { main } from './cli.js';

const cancellation = new Cancellation();
// The first SIGINT/SIGTERM stops a run gracefully (main returns 130/143); a second one, or one that
// comes when nothing can stop gracefully, exits at once (k6 is killed on exit).
listenForStopSignals(cancellation, (signal) => process.exit(exitStatusForSignal(signal)));

const status = await main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cancellation,
});
// Let pending writes to pipes finish before leaving.
process.stdout.write('', () => process.exit(status));
