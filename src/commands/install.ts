// `k6-gate install`: install k6 (or find it in the tool cache) and print its path. Its flags are the
// k6 inputs of the input specification, read by the same reader as a run's.
import { parseCommandArgs } from '../config.js';
import { inputsFromFlags, normaliseArgv, parseArgsOptions, renderFlagHelp } from '../input-spec.js';
import { readK6Options } from '../inputs.js';
import { installK6 } from '../k6/install.js';
import type { Logger } from '../log.js';
import type { CliIO } from './io.js';

export async function commandInstall(args: string[], io: CliIO, log: Logger): Promise<number> {
  const { values } = parseCommandArgs(parseArgsOptions('install'), normaliseArgv('install', args), 'install', false);
  if (values.help) {
    io.stdout(`k6-gate install [options]\nPrints the path of the installed k6 on stdout.\n\n${renderFlagHelp('install')}`);
    return 0;
  }
  const inputs = inputsFromFlags('install', values, []);
  const installed = await installK6(
    readK6Options((name) => inputs[name], io.cwd),
    log,
  );
  log.info(`k6 ${installed.version} ready (${installed.source}): ${installed.path}`);
  io.stdout(`${installed.path}\n`);
  return 0;
}
