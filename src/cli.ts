#!/usr/bin/env node
// The k6-gate command line: the same pipeline as the action, for laptops and GitLab jobs.
// A thin dispatcher: each command lives in src/commands/<name>.ts. Exit status: 0 passed,
// 1 gate failed by policy, 2 error.
import { ConfigError } from './config.js';
import { describeFailure } from './errors.js';
import { createTerminalLogger } from './log.js';
import { VERSION } from './version.js';
import { HELP } from './commands/help.js';
import type { CliIO } from './commands/io.js';
import { detectPlatform } from './platform/registry.js';

export type { CliIO } from './commands/io.js';

// Each command's module is loaded when the command runs, so `--version` and `--help` start in node's
// own time. `webpackMode: "eager"` keeps run, install and baseline in the main bundle (only their
// evaluation is deferred); the demo and operator-manifest land in chunk files (dist/cli.<id>.js) that
// other commands never compile (docs/architecture.md, "Start-up cost").
const load = {
  run: () => import(/* webpackMode: "eager" */ './commands/run.js'),
  install: () => import(/* webpackMode: "eager" */ './commands/install.js'),
  demo: () => import('./commands/demo.js'),
  baseline: () => import(/* webpackMode: "eager" */ './commands/baseline.js'),
  operatorManifest: () => import('./commands/operator-manifest.js'),
  collect: () => import('./commands/collect.js'),
};

/** Runs the CLI and returns the exit status; never calls process.exit itself. */
export async function main(io: CliIO): Promise<number> {
  const [command, ...given] = io.argv;
  // Every command takes --verbose: it adds debug lines and the stack of an error.
  const verbose = given.includes('--verbose');
  const rest = given.filter((arg) => arg !== '--verbose');
  const log = createTerminalLogger({
    verbose,
    gitlabSections: detectPlatform(io.env).logSections === 'gitlab',
    write: (line) => io.stderr(`${line}\n`),
  });
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'run':
        return await (await load.run()).commandRun(rest, io, log);
      case 'merge':
        return await (await load.run()).commandMerge(rest, io, log);
      case 'collect':
        return await (await load.collect()).commandCollect(rest, io, log);
      case 'operator-manifest':
        return await (await load.operatorManifest()).commandOperatorManifest(rest, io, log);
      case 'baseline':
        return await (await load.baseline()).runBaselineCommand(rest, io, log);
      case 'install':
        return await (await load.install()).commandInstall(rest, io, log);
      case 'demo':
        return await (await load.demo()).runDemo(rest, io, log);
      case 'demo-target':
        return await (await load.demo()).startDemoTargetFromFlags(rest, io, log);
      default:
        throw new ConfigError(
          `unknown command ${JSON.stringify(command)}; expected run, merge, collect, operator-manifest, demo, demo-target, baseline or install (see k6-gate --help)`,
        );
    }
  } catch (error) {
    log.error(describeFailure(error, verbose));
    return 2;
  }
}
