// What the duet's integration tests share: the script both k6 processes run, and the two demo
// targets A and B on loopback.
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';

/**
 * A steady closed load that outlasts any duet (the duet stops each half); DIE_ON names a target
 * whose k6 aborts after 2 s. `thresholds` is the script's k6 thresholds object, as source text.
 */
export function duetTestScript(thresholds = '{}'): string {
  return `import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
const started = Date.now();
export const options = { vus: 4, duration: '10m', thresholds: ${thresholds} };
export default function () {
  if (__ENV.DIE_ON && __ENV.BASE_URL === __ENV.DIE_ON && Date.now() - started > 2000) exec.test.abort('the script gave up');
  http.get(__ENV.BASE_URL + '/api/products?limit=5');
  sleep(0.02);
}
`;
}

/**
 * A (the base) and B (the candidate): 50 ms of server time each, so a busy runner's stalls of a few
 * ms are small next to it, as next to a real service.
 */
export async function startDuetTargets(): Promise<{ base: DemoTarget; candidate: DemoTarget }> {
  const base = await startDemoTarget({ port: 0, latencyMs: 50, jitterMs: 5, seed: 1 });
  const candidate = await startDemoTarget({ port: 0, latencyMs: 50, jitterMs: 5, seed: 2 });
  return { base, candidate };
}
