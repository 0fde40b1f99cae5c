// The action's entry (bundled to dist/index.js).
import { Cancellation, exitStatusForSignal, listenForStopSignals } from './cancel.js';
import { run } from './main.js';

// A job cancel sends SIGINT (then SIGTERM 7.5 s later): stop k6, write and upload what was measured.
const cancellation = new Cancellation();
listenForStopSignals(cancellation, (signal) => process.exit(exitStatusForSignal(signal)));
await run(cancellation);
// Every API call has a deadline; an abandoned one (an artifact upload past its deadline) must not
// hold the finished step open. Pending writes to the log pipe finish first.
process.stdout.write('', () => process.exit());
