// What every benchmark needs: the median of paired figures and the machine's load average, written
// next to each figure (the machine is shared, so timings drift).
import os from 'node:os';

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The 1, 5 and 15 minute load averages, e.g. "0.52, 1.32, 1.36". */
export function loadAverage() {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
}
