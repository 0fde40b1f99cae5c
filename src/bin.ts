// The CLI's process entry (bundled to dist/cli.js): runs main and exits with its status.
import { main } from './cli.js';

const status = await main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
// Let pending writes to pipes finish before leaving.
process.stdout.write('', () => process.exit(status));
