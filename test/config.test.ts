import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  insideWorkspace,
  optional,
  parseBoolean,
  parseCommandArgs,
  parseDuration,
  parseEnvPairs,
  parseFailOn,
  parseInstallMethod,
  parseK6Version,
  parseUpdateBaseline,
  splitArgs,
} from '../src/config.js';

describe('input parsing', () => {
  describe('optional', () => {
    it('treats empty and blank input as not set', () => {
      expect(optional('')).toBeUndefined();
      expect(optional('   ')).toBeUndefined();
      expect(optional(undefined)).toBeUndefined();
      expect(optional(' x ')).toBe('x');
    });
  });

  describe('splitArgs (shell-like, no shell)', () => {
    it('splits on spaces and keeps quoted spaces', () => {
      expect(splitArgs(`--tag "team=web shop" --env 'A=1 2' plain`)).toEqual(['--tag', 'team=web shop', '--env', 'A=1 2', 'plain']);
    });
    it('keeps $(cmd), `cmd` and $VAR as literal text', () => {
      expect(splitArgs('--env X=$(rm -rf /) --env Y=`id` $HOME')).toEqual(['--env', 'X=$(rm', '-rf', '/)', '--env', 'Y=`id`', '$HOME']);
      expect(splitArgs(`"$(rm -rf /)"`)).toEqual(['$(rm -rf /)']);
    });
    it('handles escapes and empty quoted words', () => {
      expect(splitArgs(String.raw`a\ b "c\"d" ''`)).toEqual(['a b', 'c"d', '']);
    });
    it('rejects an unterminated quote', () => {
      expect(() => splitArgs(`--tag "oops`)).toThrow(/unterminated " quote/);
    });
  });

  describe('parseK6Version', () => {
    it('accepts X.Y.Z with or without v', () => {
      expect(parseK6Version('v2.2.0')).toBe('2.2.0');
      expect(parseK6Version('1.8.1')).toBe('1.8.1');
      expect(parseK6Version('3.0.0-rc1')).toBe('3.0.0-rc1');
    });
    it.each(['latest', '2.2', 'v2.x.0', '2.2.0; rm -rf /'])('rejects %j with an example', (bad) => {
      expect(() => parseK6Version(bad)).toThrow(/is not a version; expected X.Y.Z such as "2.2.0"/);
    });
  });

  describe('parseFailOn', () => {
    it('defaults to regression and thresholds', () => expect(parseFailOn('')).toEqual(['regression', 'thresholds']));
    it('reads lists and none', () => {
      expect(parseFailOn('thresholds')).toEqual(['thresholds']);
      expect(parseFailOn('regressions, thresholds')).toEqual(['regression', 'thresholds']);
      expect(parseFailOn('none')).toEqual([]);
    });
    it('names the unknown word', () => expect(() => parseFailOn('regression,latency')).toThrow(/unknown word "latency"/));
  });

  describe('other inputs', () => {
    it('parses durations', () => {
      expect(parseDuration('timeout', '90s')).toBe(90_000);
      expect(parseDuration('timeout', '1h30m')).toBe(5_400_000);
      expect(parseDuration('timeout', '1500ms')).toBe(1500);
      expect(parseDuration('timeout', '45')).toBe(45_000);
      expect(parseDuration('timeout', '')).toBeUndefined();
      expect(() => parseDuration('timeout', '5 minutes')).toThrow(/timeout "5 minutes" is not a duration/);
    });
    it('parses booleans, install methods and update modes', () => {
      expect(parseBoolean('x', 'yes', false)).toBe(true);
      expect(parseBoolean('x', undefined, true)).toBe(true);
      expect(() => parseBoolean('html-report', 'maybe', true)).toThrow(/html-report "maybe" is not a boolean/);
      expect(parseInstallMethod('')).toBe('auto');
      expect(() => parseInstallMethod('brew')).toThrow(/expected one of auto, release, go, path/);
      expect(parseUpdateBaseline('true')).toBe('always');
      // In CI a baseline learns only from the default branch unless told otherwise.
      expect(parseUpdateBaseline('true', 'auto')).toBe('auto');
      expect(parseUpdateBaseline('always', 'auto')).toBe('always');
      expect(parseUpdateBaseline('')).toBe('never');
      expect(parseUpdateBaseline('force')).toBe('force');
      expect(() => parseUpdateBaseline('sometimes')).toThrow(/expected false, true, auto/);
    });
    it('parses KEY=VALUE pairs, quoted values and = inside values', () => {
      expect(parseEnvPairs('env', `VUS=5 NAME="a b" URL=http://x/?a=b`)).toEqual({ VUS: '5', NAME: 'a b', URL: 'http://x/?a=b' });
      expect(parseEnvPairs('env', 'A=1\nB=2')).toEqual({ A: '1', B: '2' });
      expect(() => parseEnvPairs('env', 'NOEQUALS')).toThrow(/"NOEQUALS" is not KEY=VALUE/);
    });
    it('keeps paths inside the workspace', () => {
      const ws = path.resolve('/work/space');
      expect(insideWorkspace('baseline', 'perf/base.json', ws)).toBe(path.join(ws, 'perf/base.json'));
      expect(() => insideWorkspace('baseline', '../../etc/passwd', ws)).toThrow(ConfigError);
      expect(() => insideWorkspace('results-dir', '/tmp/out', ws)).toThrow(
        /results-dir "\/tmp\/out" resolves to \/tmp\/out, outside the workspace/,
      );
    });
  });
});

describe('parseCommandArgs', () => {
  it('says a bad flag as an input error that names the command’s help, for every command', () => {
    expect(() => parseCommandArgs({ port: { type: 'string' } }, ['--prot', '8080'], 'demo-target', false)).toThrow(ConfigError);
    expect(() => parseCommandArgs({ port: { type: 'string' } }, ['--prot', '8080'], 'demo-target', false)).toThrow(
      /^Unknown option '--prot'; see k6-gate demo-target --help$/,
    );
    expect(() => parseCommandArgs({}, ['--x'], undefined)).toThrow(/; see k6-gate --help$/);
    expect(parseCommandArgs({ port: { type: 'string' } }, ['--port', '8080', 'extra'], 'x').positionals).toEqual(['extra']);
  });
});
