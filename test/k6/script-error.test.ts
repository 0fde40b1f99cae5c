import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScriptException, scriptException } from '../../src/k6/script-error.js';

// Lines as k6 v2.2.0 wrote them on stderr (not a terminal) on 2026-12-02 for a script that throws in
// an iteration, one that throws at start-up (exit 107), `exec.test.abort('target is down "x"')`
// (exit 108) and `exec.test.fail('bad data')` (exit 110).
const ITERATION =
  'time="2026-12-02T11:27:45Z" level=error msg="TypeError: Cannot read property \'value\' of undefined\\n\\tat login (file:///tmp/rpt/throw.js:2:36(3))\\n\\tat default (file:///tmp/rpt/throw.js:3:35(4))\\n" executor=shared-iterations hint="script exception" scenario=default source=stacktrace';
const START =
  'time="2026-12-02T11:27:45Z" level=error msg="TypeError: Cannot read property \'boom\' of undefined or null\\n\\tat file:///tmp/rpt/throwinit.js:2:1(13)\\n" hint="script exception" source=stacktrace';
const ABORT =
  'time="2026-12-02T11:27:52Z" level=error msg="test aborted: target is down \\"x\\" at default (file:///tmp/rpt/abort.js:3:45(6))"';
const FAIL = 'time="2026-12-02T11:27:52Z" level=error msg="test marked as failed: bad data"';

describe('scriptException', () => {
  it('reads the exception and its stack from k6 log lines', () => {
    expect(scriptException(`  █ TOTAL RESULTS\n${START}\n`)).toBe(
      "TypeError: Cannot read property 'boom' of undefined or null\n\tat file:///tmp/rpt/throwinit.js:2:1(13)",
    );
    expect(scriptException(ITERATION)).toMatch(/^TypeError: Cannot read property 'value' of undefined\n\tat login \(/);
  });

  it("reads test.abort()'s and test.fail()'s reasons, an exception first", () => {
    expect(scriptException(ABORT)).toBe('test aborted: target is down "x" at default (file:///tmp/rpt/abort.js:3:45(6))');
    expect(scriptException(FAIL)).toBe('test marked as failed: bad data');
    expect(scriptException(`${FAIL}\n${START}`)).toMatch(/^TypeError/);
    expect(scriptException('level=info msg="hello"\nlevel=error msg="request timeout"')).toBeUndefined();
  });

  it('reads the log only when the exit code says the script stopped the run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'k6-gate-script-error-'));
    const log = path.join(dir, 'k6.log');
    await writeFile(log, `${START}\n`);
    expect(await readScriptException(log, 107)).toMatch(/^TypeError/);
    expect(await readScriptException(log, 0)).toBeUndefined();
    expect(await readScriptException(path.join(dir, 'none.log'), 107)).toBeUndefined();
  });
});
