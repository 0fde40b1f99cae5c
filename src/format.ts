// How k6-gate writes a number for a person: a value in its unit (`212 ms`, `1.20%`, `45.3/s`), a
// change (`+17.8%`, `×12`), a configured amount (`10%`, `2 ms`), a count (`3,598`) and a duration
// (`850 ms`, `6.1 s`, `2.5 min`). The one formatting module: reports, notes, annotations, JUnit,
// log lines and the baseline commands all write numbers through it, so a number reads the same
// wherever it appears. Pure, no Intl (the first Intl call loads ICU data, about 10 ms of start-up).
import type { MetricComparison } from './model.js';

export type Unit = MetricComparison['unit'];

export function trimNumber(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '') || '0';
}

/**
 * A value as a person reads it: `212 ms`, `0.35 ms`, `1.20%`, `45.3/s`, `1.5 MB`; `—` when there is
 * none. A `count` has no unit (`226`).
 */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  switch (unit) {
    case 'ms':
      if (abs >= 1000) return `${trimNumber(value / 1000, abs >= 10_000 ? 1 : 2)} s`;
      return `${abs >= 10 ? trimNumber(value, 1) : value.toFixed(2)} ms`;
    case 'ratio':
      return `${(value * 100).toFixed(2)}%`;
    case 'per-second':
      return `${abs >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
    case 'bytes': {
      const units = ['B', 'kB', 'MB', 'GB', 'TB'];
      let scaled = value;
      let index = 0;
      while (Math.abs(scaled) >= 1000 && index < units.length - 1) {
        scaled /= 1000;
        index++;
      }
      return `${index === 0 ? value.toFixed(0) : trimNumber(scaled, 1)} ${units[index]}`;
    }
    case 'count':
      return Number.isInteger(value) ? formatCount(value) : trimNumber(value, 2);
    default:
      return abs >= 100 ? value.toFixed(0) : trimNumber(value, abs >= 1 ? 2 : 4);
  }
}

/** A difference in the unit: ratios in percentage points (`0.50 pp`), others like formatValue. */
export function formatDelta(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(2)} pp`;
  return formatValue(value, unit);
}

/** A signed difference of two rates in percentage points: `+0.40 pp`, `-0.12 pp`, `±0.00 pp`. */
export function formatPointChange(value: number): string {
  // Rounded by size, so that -x and +x read alike.
  const hundredths = Math.round(Math.abs(value) * 10_000);
  if (hundredths === 0) return '±0.00 pp';
  return `${value > 0 ? '+' : '-'}${(hundredths / 100).toFixed(2)} pp`;
}

/** A configured amount (noise floor) without padding zeros: `2 ms`, `0.5 pp`. */
export function formatSetting(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${trimNumber(value * 100, 3)} pp`;
  if (unit === 'ms') return `${trimNumber(value, 3)} ms`;
  return trimNumber(value, 4);
}

/** The spelling of "no change", whatever produced it (equal values, a change that rounds to 0.0%). */
export const NO_CHANGE = '±0.0%';

/** Past this factor a percentage stops being readable (`+4,250.0%`): the change is written `×43.5`. */
const FACTOR_FROM = 11;
const LARGEST_FACTOR = 1_000_000;

/**
 * A relative change (0.178 = +17.8 %), always signed, one decimal: `+17.8%`, `-5.0%`, `±0.0%`; a
 * growth past ×11 as a factor (`×43.5`, `×1,250`, `more than ×1,000,000`, never `+4.36e+303%`);
 * `—` when there is none.
 */
export function formatChange(change: number | undefined): string {
  if (change === undefined || !Number.isFinite(change)) return '—';
  const factor = change + 1;
  if (factor >= FACTOR_FROM) {
    if (factor > LARGEST_FACTOR) return `more than ×${formatCount(LARGEST_FACTOR)}`;
    return `×${factor < 100 ? trimNumber(factor, 1) : formatCount(Math.round(factor))}`;
  }
  const tenths = Math.round(change * 1000);
  if (tenths === 0) return NO_CHANGE;
  return `${tenths > 0 ? '+' : '-'}${(Math.abs(tenths) / 10).toFixed(1)}%`;
}

/** The change from `before` to `after` for formatChange: 0 when both are equal (also both 0). */
export function relativeChange(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  if (before === after) return 0;
  return before === 0 ? undefined : after / before - 1;
}

/**
 * A whole count with thousands grouped by commas: `3,598`, `65,536`. Written out rather than
 * `toLocaleString`: the first Intl call loads ICU data, about 10 ms of a short run's start-up.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) return String(count);
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A configured fraction (tolerance, confidence) as a percentage without padding zeros: `10%`, `99.5%`. */
export function formatPercent(fraction: number): string {
  return `${trimNumber(fraction * 100, 2)}%`;
}

/** A span of time: `850 ms` under a second, `6.1 s` under two minutes, `2.5 min` beyond. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 120_000) return `${trimNumber(ms / 1000, 1)} s`;
  return `${trimNumber(ms / 60_000, 1)} min`;
}
