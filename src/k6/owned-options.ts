// The k6 options k6-gate sets itself or that would change the test it compares with the baseline.
// A user gives them through k6-gate's inputs instead (the message names the input); in k6-args they
// are refused, and in the environment k6 would read them from (K6_* variables, e.g. set as CI/CD
// variables nobody sees in the job) they are refused before k6 runs and never inherited by k6.
import { ConfigError } from '../config.js';
import { SUMMARY_TREND_STATS } from './summary.js';

/** k6 flags k6-gate sets or that drop a part of the verdict, with the input to use instead. */
const OWNED_FLAGS: { flags: string[]; why: (shown: string) => string }[] = [
  {
    flags: ['--summary-export'],
    why: (s) => `k6-args "${s}": k6-gate writes the summary export itself (summary-<scenario>.json in the results dir)`,
  },
  {
    flags: ['--no-thresholds'],
    why: (s) =>
      `k6-args "${s}" would drop the script’s thresholds; use the fail-on input to decide whether crossed thresholds fail the job`,
  },
  { flags: ['--no-summary'], why: (s) => `k6-args "${s}" would stop k6 from writing the summary the gate compares` },
  {
    flags: ['--execution-segment', '--execution-segment-sequence'],
    why: (s) => `k6-args "${s}": k6-gate sets the execution segment of a shard; use the shard input`,
  },
];

/** Script variables k6-gate sets itself, with the input that sets them. */
const OWNED_VARIABLES: Record<string, string> = { PROFILE: 'profile', BASE_URL: 'target' };

/** Refuses k6 arguments that k6-gate owns, naming the input to use instead. */
export function checkK6Args(args: readonly string[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = arg.split('=')[0];
    const owned = OWNED_FLAGS.find((o) => o.flags.includes(flag));
    if (owned) throw new ConfigError(`${owned.why(flag)}; expected k6-args without it`);
    if (flag === '--summary-trend-stats') {
      // More stats are fine (e.g. count); fewer would take away what the verdict reads.
      const given = (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[i + 1] ?? '')).split(',').map((s) => s.trim());
      const missing = SUMMARY_TREND_STATS.filter((stat) => !given.includes(stat));
      if (missing.length > 0) {
        throw new ConfigError(
          `k6-args "--summary-trend-stats ${given.join(',')}" leaves out ${missing.join(', ')}, which k6-gate compares; expected a list that keeps ${SUMMARY_TREND_STATS.join(',')} (add stats to it), or the watch input for the stats to compare`,
        );
      }
    }
    // -e KEY=VALUE, --env KEY=VALUE, --env=KEY=VALUE, -eKEY=VALUE
    let pair: string | undefined;
    let shown = arg;
    if (arg === '-e' || arg === '--env') {
      pair = args[i + 1];
      shown = `${arg} ${pair ?? ''}`;
    } else if (arg.startsWith('--env=')) pair = arg.slice('--env='.length);
    else if (arg.startsWith('-e') && arg.length > 2 && !arg.startsWith('--')) pair = arg.slice(2).replace(/^=/, '');
    const name = pair?.split('=')[0];
    if (name !== undefined && OWNED_VARIABLES[name]) {
      throw new ConfigError(
        `k6-args "${shown}" sets ${name}, which k6-gate owns; use the ${OWNED_VARIABLES[name]} input (the baseline key and the heavy-load policy follow it)`,
      );
    }
  }
}

/**
 * k6 options read from K6_* variables that change or weaken the test k6-gate compares with the
 * baseline: the workload (VUs, duration, iterations, stages, rate), the thresholds, the summary.
 */
export const TEST_CHANGING_K6_VARIABLES: readonly string[] = [
  'K6_NO_THRESHOLDS',
  'K6_DURATION',
  'K6_VUS',
  'K6_ITERATIONS',
  'K6_STAGES',
  'K6_RPS',
  'K6_PAUSED',
  'K6_NO_SETUP',
  'K6_NO_TEARDOWN',
  'K6_NO_SUMMARY',
  'K6_SUMMARY_EXPORT',
  'K6_SUMMARY_TREND_STATS',
  'K6_EXECUTION_SEGMENT',
  'K6_EXECUTION_SEGMENT_SEQUENCE',
];

/** Refuses a run whose environment sets one of TEST_CHANGING_K6_VARIABLES. */
export function checkK6Environment(env: NodeJS.ProcessEnv): void {
  const set = TEST_CHANGING_K6_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
  if (set.length === 0) return;
  throw new ConfigError(
    `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set in the environment (a CI/CD or shell variable?): k6 would read ${set.length === 1 ? 'it' : 'them'} and run another test than the one the baseline holds (${set.length === 1 ? 'it changes' : 'they change'} the workload, the thresholds or the summary); unset ${set.length === 1 ? 'it' : 'them'}, and change the run in the script or with env (e.g. VUS, DURATION for the bundled scenarios)`,
  );
}
