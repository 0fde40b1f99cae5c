import { describe, expect, it } from 'vitest';
import {
  executionSegment,
  parseShard,
  segmentSequence,
  shardArgs,
  shardArtifactName,
  shardRawFileName,
  shardLogFileName,
  shardSummaryFileName,
} from '../../src/shard/shard.js';

describe('shard', () => {
  describe('parseShard', () => {
    it('reads i/N with shards counted from 1', () => {
      expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
      expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    });
    it.each([
      ['0/3', /index must be from 1 to 3/],
      ['4/3', /index must be from 1 to 3/],
      ['1/0', /count must be a whole number/],
      ['one of three', /is not i\/N; expected e.g. "1\/3"/],
      ['1-3', /"1-3" is not i\/N/],
    ])('refuses %s with a clear message', (text, message) => {
      expect(() => parseShard(text)).toThrow(message);
    });
  });

  describe('shardArgs', () => {
    it('gives each of 3 shards its segment of the shared sequence', () => {
      expect(shardArgs(1, 3)).toEqual(['--execution-segment', '0:1/3', '--execution-segment-sequence', '0,1/3,2/3,1']);
      expect(shardArgs(2, 3)).toEqual(['--execution-segment', '1/3:2/3', '--execution-segment-sequence', '0,1/3,2/3,1']);
      expect(shardArgs(3, 3)).toEqual(['--execution-segment', '2/3:1', '--execution-segment-sequence', '0,1/3,2/3,1']);
    });
    it('writes reduced fractions, and every segment end is in the sequence', () => {
      expect(segmentSequence(4)).toBe('0,1/4,1/2,3/4,1');
      for (const count of [1, 2, 5, 6, 12]) {
        const points = segmentSequence(count).split(',');
        for (let index = 1; index <= count; index++) {
          const [from, to] = executionSegment({ index, count }).split(':');
          expect(points.indexOf(to) - points.indexOf(from)).toBe(1);
        }
      }
      expect(shardArgs(1, 1)).toEqual(['--execution-segment', '0:1', '--execution-segment-sequence', '0,1']);
    });
    it('refuses an index outside the count', () => {
      expect(() => shardArgs(0, 2)).toThrow(/"0\/2": the index must be from 1 to 2/);
    });
  });

  it('names shard files so all shards can share one folder', () => {
    expect(shardRawFileName('smoke', { index: 2, count: 3 })).toBe('k6-smoke.shard-2-of-3.json.gz');
    expect(shardSummaryFileName('smoke', { index: 2, count: 3 })).toBe('summary-smoke.shard-2-of-3.json');
    expect(shardLogFileName('smoke', { index: 2, count: 3 })).toBe('k6-smoke.shard-2-of-3.log');
    expect(shardArtifactName('smoke', { index: 2, count: 3 })).toBe('k6-gate-shard-smoke-2-of-3');
  });
});
