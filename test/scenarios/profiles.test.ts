// The six profiles: each one's options pass `k6 inspect` for every workload, shrink to seconds with
// the scaling variables and then really run, fail loudly on an unknown name, and take threshold
// overrides from variables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { readStat } from '../../src/k6/summary.js';
import { testK6Path } from '../helpers/k6.js';
import { PROFILES, runK6, WORKLOADS } from './run-k6.js';

interface Requirements {
  maxVUs: number;
  totalDuration: string;
  scenarios: Record<
    string,
    { executor: string; vus?: number; maxVUs?: number; stages?: Array<{ duration: string; target: number }>; startRate?: number }
  >;
  thresholds: Record<string, Array<string | { threshold: string; abortOnFail?: boolean }>>;
}

const EXPECTED: Record<(typeof PROFILES)[number], { executor: string; maxVUs: number }> = {
  smoke: { executor: 'constant-vus', maxVUs: 5 },
  load: { executor: 'ramping-vus', maxVUs: 50 },
  stress: { executor: 'ramping-vus', maxVUs: 500 },
  spike: { executor: 'ramping-vus', maxVUs: 1000 },
  soak: { executor: 'ramping-vus', maxVUs: 100 },
  breakpoint: { executor: 'ramping-arrival-rate', maxVUs: 1000 },
};

/** Shrinks any profile to about three seconds with at most three VUs. */
const SCALED = { VUS: '3', TIME_SCALE: '0.002', DURATION: '1s', START_RATE: '2', MAX_RATE: '6', THINK_TIME: '0.1' };

let k6: string;
let target: DemoTarget;

beforeAll(async () => {
  k6 = testK6Path();
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 5 });
});

afterAll(async () => {
  await target?.close();
});

async function inspect(script: string, env: Record<string, string>): Promise<Requirements> {
  const result = await runK6(k6, 'inspect', script, env, ['--execution-requirements']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Requirements;
}

describe('k6 inspect accepts every profile of every workload', () => {
  for (const profile of PROFILES) {
    it(`${profile}: ${EXPECTED[profile].executor} up to ${EXPECTED[profile].maxVUs} VUs in all five workloads`, async () => {
      for (const workload of WORKLOADS) {
        const req = await inspect(`${workload}.ts`, { PROFILE: profile });
        expect(Object.keys(req.scenarios)).toEqual([profile]);
        expect(req.scenarios[profile].executor).toBe(EXPECTED[profile].executor);
        expect(req.maxVUs).toBe(EXPECTED[profile].maxVUs);
        expect(req.thresholds.checks).toBeDefined();
      }
    });
  }

  it('the full-size soak holds 100 VUs for 30 minutes and spike jumps from 20 to 1000', async () => {
    const soak = await inspect('http-endpoints.ts', { PROFILE: 'soak' });
    expect(soak.scenarios.soak.stages).toContainEqual({ duration: '30m0s', target: 100 });
    const spike = await inspect('http-endpoints.ts', { PROFILE: 'spike' });
    expect(spike.scenarios.spike.stages?.map((s) => s.target)).toEqual([20, 20, 1000, 1000, 20, 20, 0]);
  });

  it('breakpoint thresholds abort the test when crossed', async () => {
    const req = await inspect('http-endpoints.ts', { PROFILE: 'breakpoint' });
    expect(req.thresholds.http_req_failed).toEqual([{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }]);
  });

  it('VUS, DURATION and TIME_SCALE shrink a profile to seconds', async () => {
    const req = await inspect('http-endpoints.ts', { PROFILE: 'stress', ...SCALED });
    expect(req.maxVUs).toBe(3);
    expect(req.scenarios.stress.stages?.map((s) => s.target)).toEqual([1, 1, 2, 2, 3, 3, 0]);
    expect(req.scenarios.stress.stages?.find((s) => s.target === 3 && s.duration === '1s')).toBeDefined();
  });
});

describe('example configs', () => {
  it("every scenarios/examples/<workload>.json passes the workload's config checks", async () => {
    for (const workload of WORKLOADS) {
      const req = await inspect(`${workload}.ts`, { CONFIG_FILE: `examples/${workload}.json` });
      expect(req.scenarios.smoke).toBeDefined();
    }
    const ws = await inspect('websocket.ts', { CONFIG_FILE: 'examples/websocket.json' });
    expect(ws.thresholds.ws_cursor_fanout).toEqual(['p(95)<200']);
  });
});

describe('unknown profile', () => {
  it('fails with an error listing the valid profiles', async () => {
    const result = await runK6(k6, 'inspect', 'websocket.ts', { PROFILE: 'heavy' });
    expect(result.code).toBe(107);
    expect(result.stderr).toContain('unknown PROFILE \\"heavy\\"; valid profiles are: smoke, load, stress, spike, soak, breakpoint');
  });
});

describe('threshold overrides', () => {
  it('P95_MS, ERROR_RATE and THRESHOLDS replace the profile defaults', async () => {
    const req = await inspect('jsonrpc.ts', {
      PROFILE: 'load',
      P95_MS: '250',
      ERROR_RATE: '0.02',
      THRESHOLDS: '{"jsonrpc_call_duration": ["p(90)<100"], "checks": null}',
    });
    expect(req.thresholds.http_req_duration).toEqual(['p(95)<250', 'p(99)<1000']);
    expect(req.thresholds.http_req_failed).toEqual(['rate<0.02']);
    expect(req.thresholds.jsonrpc_call_duration).toEqual(['p(90)<100']);
    expect(req.thresholds.checks).toBeUndefined();
  });

  it('a crossed threshold makes k6 exit 99', async () => {
    target.setKnobs({ latencyMs: 30 });
    try {
      const result = await runK6(k6, 'run', 'http-endpoints.ts', {
        PROFILE: 'smoke',
        VUS: '1',
        DURATION: '1s',
        THINK_TIME: '0.1',
        BASE_URL: target.url,
        P95_MS: '10',
      });
      expect(result.code).toBe(99);
      expect(result.summary?.thresholds.find((t) => t.metric === 'http_req_duration' && t.expression === 'p(95)<10')?.ok).toBe(false);
    } finally {
      target.setKnobs({ latencyMs: 5 });
    }
  });
});

describe('every profile runs in seconds when scaled', () => {
  for (const profile of PROFILES.filter((p) => p !== 'smoke')) {
    it(`${profile} (scaled) runs http-endpoints with zero failed checks`, async () => {
      const started = Date.now();
      const result = await runK6(k6, 'run', 'http-endpoints.ts', { PROFILE: profile, BASE_URL: target.url, ...SCALED });
      expect(result.code, result.stderr).toBe(0);
      expect(result.summary?.metrics.checks?.values.fails).toBe(0);
      expect(readStat(result.summary!, 'iterations', 'count') ?? 0).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }
});
