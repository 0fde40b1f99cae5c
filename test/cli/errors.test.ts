// Expected failures print their message and exit 2, with the stack only under --verbose; anything
// else is a bug and says so, with the stack. Each command a user meets such a failure in is tried.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, isExpectedError } from '../../src/errors.js';
import { migrateToEnvironment } from '../../src/baseline/update.js';
import { decodeRemoteWriteBody } from '../../src/observability/remote-write.js';
import { ConfigError } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';

/** A stack frame line as V8 prints it. */
const STACK_FRAME = /^\s+at .+/m;

let mirror: http.Server;
let mirrorUrl: string;
let busy: http.Server;
let busyPort: number;

beforeAll(async () => {
  // A release mirror that has nothing (404), and a port something already listens on.
  mirror = http.createServer((_req, res) => res.writeHead(404).end('not found'));
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
  busy = http.createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => mirror.close(resolve));
  await new Promise((resolve) => busy.close(resolve));
});

describe('expected failures: the message, exit 2, no stack unless --verbose', () => {
  it.each(
    [
      {
        what: 'install from a mirror that answers 404',
        argv: () => ['install', '--k6-version', '0.0.1', '--method', 'release', '--k6-download-url', `${mirrorUrl}/{tag}/{asset}`],
        message: /does not exist at .* \(HTTP 404\)/,
      },
      {
        what: 'install --method path with a missing binary',
        argv: () => ['install', '--method', 'path', '--k6-path', 'no-such-k6'],
        message: /k6 binary ".*no-such-k6" does not exist/,
      },
      {
        what: 'baseline show of a truncated baseline',
        argv: () => ['baseline', 'show', '--baseline', 'truncated.json'],
        message: /truncated\.json/,
      },
      {
        what: 'baseline update with a bad summary',
        argv: () => ['baseline', 'update', '--summary', 'bad-summary.json', '--scenario', 'smoke'],
        message: /bad-summary\.json/,
      },
      {
        what: 'baseline update into a path whose folder is a file',
        argv: () => ['baseline', 'update', '--summary', 'summary.json', '--scenario', 'smoke', '--baseline', 'smoke.js/k6-baseline.json'],
        message:
          /baseline .*smoke\.js\/k6-baseline\.json cannot be written \(ENOTDIR\); expected a path whose folders exist or can be created/,
      },
      {
        what: 'operator-manifest of an archive that does not exist',
        argv: () => ['operator-manifest', 'nope.tar', '--name', 'x', '--parallelism', '2'],
        message: /archive "nope\.tar" cannot be read \(ENOENT\); expected a k6 archive \(k6 archive script\.js\)/,
      },
      {
        what: 'operator-manifest --output into a folder that does not exist',
        argv: () => ['operator-manifest', 'smoke.js', '--name', 'x', '--parallelism', '2', '--output', 'nodir/f.yaml'],
        message: /--output "nodir\/f\.yaml" cannot be written \(ENOENT\); expected a file in an existing folder/,
      },
      {
        what: 'baseline migrate with a key the baseline does not have',
        argv: () => ['baseline', 'migrate', '--environment', 'staging', '--key', 'nope', '--baseline', 'good.json'],
        message: /the baseline has no "nope"; expected one of smoke/,
      },
      {
        what: 'demo-target on a port in use',
        argv: () => ['demo-target', '--port', String(busyPort)],
        message: /is in use \(EADDRINUSE\)/,
      },
      {
        what: 'demo-target on a port number that does not exist',
        argv: () => ['demo-target', '--port', '99999'],
        message: /port 99999 is not a TCP port; expected a whole number from 0 to 65535/,
      },
      {
        what: 'demo-target on an address of another machine',
        argv: () => ['demo-target', '--host', '192.0.2.1', '--port', '0'],
        message: /host 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)/,
      },
    ].map((c) => [c.what, c] as const),
  )('%s', async (_what, { argv, message }) => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'truncated.json'), '{"version": 1, "scenarios": {"smoke": {"metr');
    await writeFile(path.join(ws, 'bad-summary.json'), '{"metrics": 42}');
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
    await copyFile(path.join(import.meta.dirname, '../data/summaries/k6-v2.2.0-legacy-passed.json'), path.join(ws, 'summary.json'));
    await writeFile(path.join(ws, 'good.json'), JSON.stringify({ version: 1, scenarios: { smoke: { scenario: 'smoke', metrics: {} } } }));
    const plain = await runCli(argv(), ws);
    expect(plain.status, plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(message);
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    expect(plain.stderr).not.toContain('this is a bug');
    const verbose = await runCli([...argv(), '--verbose'], ws);
    expect(verbose.status).toBe(2);
    expect(verbose.stderr).toMatch(message);
    expect(verbose.stderr).toMatch(STACK_FRAME);
  });
});

describe('describeFailure', () => {
  it('domain errors are expected failures, said as their message: a push that is not remote write, a baseline migration without an environment', () => {
    const notSnappy = (() => {
      try {
        decodeRemoteWriteBody(new TextEncoder().encode('<html>proxy error</html>'));
      } catch (error) {
        return error;
      }
    })();
    expect(isExpectedError(notSnappy)).toBe(true);
    expect(describeFailure(notSnappy, false)).not.toContain('this is a bug');
    const noEnvironment = (() => {
      try {
        migrateToEnvironment({ version: 1, scenarios: {} }, ' ');
      } catch (error) {
        return error;
      }
    })();
    expect(isExpectedError(noEnvironment)).toBe(true);
    expect(describeFailure(noEnvironment, false)).toBe(
      'environment is empty; expected the name of the environment the runs measured, e.g. staging',
    );
  });

  it('an unexpected error says it is a bug and carries its stack; an expected one is its message', () => {
    const bug = describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')"), false);
    expect(bug).toContain('unexpected error (this is a bug in k6-gate; please report it');
    expect(bug).toMatch(STACK_FRAME);
    expect(describeFailure(new ConfigError('fail-on "bogus" is not valid'), false)).toBe('fail-on "bogus" is not valid');
  });
});
