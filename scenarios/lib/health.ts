// The setup() guard every workload shares: a load test against a target that is down measures
// nothing, so stop at once with a message that says what was called and what came back.
import http from 'k6/http';
import exec from 'k6/execution';
import { booleanVar, envVar } from './config.ts';

/** GET BASE_URL + HEALTH_PATH (default /health) must answer 2xx, else the test aborts (exit 108). */
export function requireHealthyTarget(base: string): void {
  if (!booleanVar('HEALTH_CHECK', true)) return;
  const path = envVar('HEALTH_PATH') ?? '/health';
  const url = /^https?:\/\//.test(path) ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`;
  const res = http.get(url, {
    tags: { name: 'health check' },
    timeout: envVar('HEALTH_TIMEOUT') ?? '10s',
    // A failing health check aborts the run; it must not also count as a failed request.
    responseCallback: http.expectedStatuses({ min: 0, max: 599 }),
  });
  if (res.status >= 200 && res.status < 300) return;
  const got =
    res.status === 0 ? `no answer (${res.error || 'connection failed'})` : `HTTP ${res.status} ${String(res.body ?? '').slice(0, 120)}`;
  exec.test.abort(
    `target is not healthy: GET ${url} gave ${got}; expected a 2xx answer. Check BASE_URL / HEALTH_PATH, or set HEALTH_CHECK=false to skip this check`,
  );
}
