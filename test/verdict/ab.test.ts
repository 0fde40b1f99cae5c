import { describe, expect, it } from 'vitest';
import { abOrder, decidePaired } from '../../src/verdict/ab.js';

describe('A/B order and paired decision', () => {
  it('interleaves rounds in ABBA order', () => {
    expect(
      abOrder(4)
        .map((r) => r.side)
        .join(''),
    ).toBe('ABBAABBA');
  });

  it('calls a consistent +10% over six pairs a regression, and the same noise without a shift unchanged', () => {
    const a = [20, 24, 21, 30, 22, 23];
    const b = a.map((x, i) => x * 1.1 * (1 + (i % 2 ? 0.01 : -0.01)));
    const slower = decidePaired(a, b, 'lower-is-better', 'ms', 2);
    expect(slower.verdict).toBe('regressed');
    expect(slower.p).toBeCloseTo(2 / 64, 10);
    expect(slower.change).toBeCloseTo(0.1, 1);
    const equal = decidePaired(a, [20.5, 23.2, 21.4, 29.1, 22.6, 22.7], 'lower-is-better', 'ms', 2);
    expect(equal.verdict).toBe('unchanged');
  });

  it('needs the effect to be large enough: a consistent +2% is not a regression', () => {
    const a = [20, 24, 21, 30, 22, 23];
    expect(
      decidePaired(
        a,
        a.map((x) => x * 1.02),
        'lower-is-better',
        'ms',
        0,
      ).verdict,
    ).toBe('unchanged');
  });

  it('turns the sign for higher-is-better values (throughput down = regression)', () => {
    const a = [100, 120, 110, 105, 98, 115];
    expect(
      decidePaired(
        a,
        a.map((x) => x * 0.8),
        'higher-is-better',
        'per-second',
        0,
      ).verdict,
    ).toBe('regressed');
    expect(
      decidePaired(
        a,
        a.map((x) => x * 1.2),
        'higher-is-better',
        'per-second',
        0,
      ).verdict,
    ).toBe('improved');
  });
});

describe('A/B rows and the smallest change they can see', () => {
  it('an ABBA row does not carry the history’s MDE: six pairs say nothing about what the history could see', async () => {
    const { runAB } = await import('../../src/verdict/ab.js');
    const { createTerminalLogger } = await import('../../src/log.js');
    const round = async (side: 'A' | 'B', pair: number) => ({
      scenario: 's',
      key: 's',
      outcome: 'passed' as const,
      thresholds: [],
      files: {},
      metrics: [
        {
          metric: 'http_req_duration',
          stat: 'p(95)',
          unit: 'ms' as const,
          direction: 'lower-is-better' as const,
          baseline: 100,
          current: (side === 'B' ? 110 : 100) + pair,
          verdict: 'unchanged' as const,
          method: 'prediction-interval' as const,
          samples: 8,
          tolerance: 0.1,
          mde: 0.44,
          mdeBasis: { source: 'history' as const, spread: 0.079, scale: 'log' as const, alpha: 0.01, power: 0.8 },
          note: 'history row',
        },
      ],
    });
    const result = await runAB(round, () => 2, createTerminalLogger({ write: () => {} }));
    expect(result.metrics[0]).toMatchObject({ method: 'paired', verdict: 'regressed' });
    expect(result.metrics[0].mde).toBeUndefined();
    expect(result.metrics[0].mdeBasis).toBeUndefined();
  });
});
