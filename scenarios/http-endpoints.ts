// Workload `http-endpoints`: each iteration calls one endpoint from a weighted list, like traffic
// spread over an API. The list comes from CONFIG_FILE / CONFIG / ENDPOINTS; the default list is
// the bundled demo target's catalog API.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e PROFILE=smoke scenarios/http-endpoints.ts
import http, { type RefinedParams, type ResponseType } from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import type { Threshold } from 'k6/options';
import { bearerHeaders } from './lib/auth.ts';
import { baseUrl, configError, envVar, loadWorkloadConfig, thinkTimeSeconds } from './lib/config.ts';
import { fillTemplates, pickWeighted } from './lib/data.ts';
import { requireHealthyTarget } from './lib/health.ts';
import { buildOptions, selectedProfile, thresholdLimits } from './lib/profiles.ts';

export interface Endpoint {
  /** The `name` tag: one line in reports however many URLs the templates make. */
  name: string;
  method: string;
  /** Path below BASE_URL, or a full URL. `{{...}}` templates allowed. */
  path: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  weight?: number;
  /** Status(es) that count as success; default any 2xx. */
  expectStatus?: number | number[];
  /** Send the AUTH_TOKEN bearer header (default true when AUTH_TOKEN is set). */
  auth?: boolean;
  timeout?: string;
}

const DEFAULT_ENDPOINTS: Endpoint[] = [
  { name: 'list products', method: 'GET', path: '/api/products', weight: 3 },
  { name: 'get product', method: 'GET', path: '/api/products/{{randInt 1 20}}', weight: 5 },
  {
    name: 'create order',
    method: 'POST',
    path: '/api/orders',
    body: { productId: '{{randInt 1 20}}', quantity: '{{randInt 1 3}}' },
    weight: 2,
    expectStatus: 201,
  },
];

/** ENDPOINTS as JSON (a list of endpoints) or as `GET /a, POST /b` for quick runs. */
function endpointsFromVariable(): Endpoint[] | undefined {
  const text = envVar('ENDPOINTS');
  if (text === undefined) return undefined;
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as Endpoint[];
    } catch (error) {
      throw new Error(
        `ENDPOINTS is not a JSON list (${(error as Error).message}); expected e.g. [{"method": "GET", "path": "/health"}] or "GET /a, POST /b"`,
      );
    }
  }
  return text.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const [method, path] = words.length === 1 ? ['GET', words[0]] : words;
    if (!path || words.length > 2)
      throw new Error(
        `ENDPOINTS entry ${JSON.stringify(part.trim())} is not "METHOD /path"; expected e.g. "GET /api/products, POST /api/orders"`,
      );
    return { name: `${method.toUpperCase()} ${path}`, method, path };
  });
}

function validate(list: unknown): Endpoint[] {
  if (!Array.isArray(list) || list.length === 0) throw configError('endpoints', list, 'a non-empty list of {"method", "path", ...}');
  return list.map((raw, i) => {
    const e = raw as Partial<Endpoint>;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || e.path === '')
      throw configError(`endpoints[${i}].path`, e?.path, 'a path such as "/api/products"');
    const method = (e.method ?? 'GET').toUpperCase();
    if (!/^[A-Z]+$/.test(method)) throw configError(`endpoints[${i}].method`, e.method, 'an HTTP method such as GET or POST');
    if (e.weight !== undefined && !(typeof e.weight === 'number' && e.weight >= 0))
      throw configError(`endpoints[${i}].weight`, e.weight, 'a number ≥ 0');
    const statuses = e.expectStatus === undefined ? [] : Array.isArray(e.expectStatus) ? e.expectStatus : [e.expectStatus];
    if (statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599))
      throw configError(`endpoints[${i}].expectStatus`, e.expectStatus, 'an HTTP status or a list of them');
    return { ...e, method, name: e.name ?? `${method} ${e.path}`, path: e.path } as Endpoint;
  });
}

const config = loadWorkloadConfig('http-endpoints', { endpoints: DEFAULT_ENDPOINTS, thinkTimeSeconds: 1 });
const endpoints = validate(endpointsFromVariable() ?? config.endpoints);
const BASE = baseUrl();
const THINK = thinkTimeSeconds(config.thinkTimeSeconds);

// One submetric per endpoint name makes per-endpoint latency show in the summary (and baseline).
const limits = thresholdLimits(selectedProfile());
const perEndpoint: Record<string, Threshold[]> = {};
for (const e of endpoints) perEndpoint[`http_req_duration{name:${e.name}}`] = [`p(95)<${limits.p95Ms}`];

export const options = buildOptions({ extraThresholds: perEndpoint, configThresholds: config.thresholds });

const endpointDuration = new Trend('endpoint_duration', true);
const unexpectedStatus = new Counter('endpoint_unexpected_status');

export function setup(): void {
  requireHealthyTarget(BASE);
}

export default function (): void {
  const endpoint = pickWeighted(endpoints);
  const filled = fillTemplates(
    { path: endpoint.path, headers: endpoint.headers ?? {}, body: endpoint.body },
    {},
    `endpoint ${endpoint.name}`,
  );
  const url = /^https?:\/\//.test(filled.path) ? filled.path : `${BASE}${filled.path}`;
  const isJson = filled.body !== undefined && typeof filled.body !== 'string';
  const headers: Record<string, string> = {
    ...(isJson ? { 'Content-Type': 'application/json' } : {}),
    ...(endpoint.auth === false ? {} : bearerHeaders()),
    ...filled.headers,
  };
  const statuses =
    endpoint.expectStatus === undefined
      ? undefined
      : Array.isArray(endpoint.expectStatus)
        ? endpoint.expectStatus
        : [endpoint.expectStatus];
  // k6 rejects `undefined` option values (e.g. "invalid timeout value"), so only set what is given.
  const params: RefinedParams<ResponseType> = { headers, tags: { name: endpoint.name } };
  if (endpoint.timeout !== undefined) params.timeout = endpoint.timeout;
  // An endpoint expected to answer 404 is a success, not a failed request.
  if (statuses) params.responseCallback = http.expectedStatuses(...statuses);
  const body = filled.body === undefined ? null : isJson ? JSON.stringify(filled.body) : (filled.body as string);
  const res = http.request(endpoint.method, url, body, params);
  endpointDuration.add(res.timings.duration, { name: endpoint.name });
  const ok = check(res, {
    'the endpoint answers with the expected status': (r) => (statuses ? statuses.includes(r.status) : r.status >= 200 && r.status < 300),
  });
  if (!ok) unexpectedStatus.add(1, { name: endpoint.name, status: String(res.status) });
  if (THINK > 0) sleep(THINK);
}
