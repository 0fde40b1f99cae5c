import { describe, expect, it } from 'vitest';
import { sayingWarningsOnce, type Logger } from '../src/log.js';

describe('sayingWarningsOnce', () => {
  it('says a warning the A/B rounds or reruns repeat once, and passes everything else through', async () => {
    const lines: string[] = [];
    const log: Logger = {
      info: (m) => lines.push(`info ${m}`),
      warning: (m) => lines.push(`warning ${m}`),
      error: (m) => lines.push(`error ${m}`),
      debug: (m) => lines.push(`debug ${m}`),
      group: (title, fn) => {
        lines.push(`group ${title}`);
        return fn();
      },
      addSecret: (v) => lines.push(`secret ${v}`),
    };
    const once = sayingWarningsOnce(log);
    const cpu = 'k6-gate: checkout: k6 itself used 1.93 of the 2 core(s) it may use';
    for (let round = 1; round <= 12; round++) {
      once.info(`A/B round ${round}`);
      once.warning(cpu);
    }
    once.warning('another warning');
    once.error('e');
    await once.group('g', async () => once.debug('d'));
    once.addSecret('s3cret');
    expect(lines.filter((l) => l === `warning ${cpu}`)).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('info '))).toHaveLength(12);
    expect(lines.slice(-5)).toEqual(['warning another warning', 'error e', 'group g', 'debug d', 'secret s3cret']);
  });
});
