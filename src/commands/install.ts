// `k6-gate install`: install k6 (or find it in the tool cache) and print its path.
import path from 'node:path';
import { DEFAULT_K6_VERSION, optional, parseCommandArgs, parseInstallMethod, parseK6Version } from '../config.js';
import { installK6 } from '../k6/install.js';
import type { Logger } from '../log.js';
import type { CliIO } from './io.js';

export async function commandInstall(args: string[], io: CliIO, log: Logger): Promise<number> {
  const { values } = parseCommandArgs(
    {
      'k6-version': { type: 'string' },
      'k6-install': { type: 'string' },
      method: { type: 'string' },
      'k6-download-url': { type: 'string' },
      'k6-sha256': { type: 'string' },
      'k6-path': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    args,
    'install',
  );
  if (values.help) {
    io.stdout(
      'k6-gate install [--k6-version X.Y.Z] [--method auto|release|go|path] [--k6-download-url TEMPLATE] [--k6-sha256 HEX] [--k6-path FILE]\nPrints the path of the installed k6 on stdout.\n',
    );
    return 0;
  }
  const installed = await installK6(
    {
      version: parseK6Version(optional(values['k6-version']) ?? DEFAULT_K6_VERSION),
      install: parseInstallMethod(values.method ?? values['k6-install']),
      downloadUrl: optional(values['k6-download-url']),
      sha256: optional(values['k6-sha256']),
      path: values['k6-path'] ? path.resolve(io.cwd, values['k6-path']) : undefined,
    },
    log,
  );
  log.info(`k6 ${installed.version} ready (${installed.source}): ${installed.path}`);
  io.stdout(`${installed.path}\n`);
  return 0;
}
