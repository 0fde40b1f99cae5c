// Workload `user-flow`: what a browser session does to the backend. Load a page and its assets,
// fetch several APIs in parallel, then start a long job and poll it at an interval until it is done.
//
//   k6 run -e BASE_URL=... -e CONFIG_FILE=examples/user-flow.json scenarios/user-flow.ts
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { bearerHeaders } from './lib/auth.ts';
import { baseUrl, configError, loadWorkloadConfig, thinkTimeSeconds } from './lib/config.ts';
import { fillTemplates, readPath } from './lib/data.ts';
import { requireHealthyTarget } from './lib/health.ts';
import { buildOptions } from './lib/profiles.ts';

interface ApiCall {
  name?: string;
  path: string;
}

interface UserFlowConfig {
  page: { name: string; path: string; assets: string[] };
  /** Fetched together (http.batch), like a page's parallel XHRs. */
  apis: ApiCall[];
  /** Omit (null) to skip polling. */
  poll: {
    start: { method: string; path: string; body?: unknown };
    /** Where the job's id is in the start answer (dot path). */
    idField: string;
    /** Status URL; `{{var id}}` is the job id. */
    statusPath: string;
    doneField: string;
    doneValue: unknown;
    intervalSeconds: number;
    maxPolls: number;
  } | null;
  thinkTimeSeconds: number;
  /** Replace default thresholds per metric (see docs/scenarios.md). */
  thresholds?: Record<string, unknown>;
}

const DEFAULTS: UserFlowConfig = {
  page: { name: 'app page', path: '/app', assets: ['/static/app.css', '/static/app.js'] },
  apis: [
    { name: 'feed', path: '/api/feed?page={{randInt 1 5}}' },
    { name: 'notifications', path: '/api/notifications' },
    { name: 'recommendations', path: '/api/recommendations' },
  ],
  poll: {
    start: { method: 'POST', path: '/api/reports' },
    idField: 'id',
    statusPath: '/api/reports/{{var id}}',
    doneField: 'status',
    doneValue: 'ready',
    intervalSeconds: 0.2,
    maxPolls: 30,
  },
  thinkTimeSeconds: 1,
};

function validate(c: UserFlowConfig): UserFlowConfig {
  if (typeof c.page?.path !== 'string') throw configError('page.path', c.page?.path, 'a page path such as "/app"');
  if (!Array.isArray(c.page.assets)) throw configError('page.assets', c.page.assets, 'a list of asset paths (may be empty)');
  if (!Array.isArray(c.apis)) throw configError('apis', c.apis, 'a list of {"name", "path"} (may be empty)');
  c.apis.forEach((api, i) => {
    if (typeof api?.path !== 'string') throw configError(`apis[${i}].path`, api?.path, 'a path such as "/api/feed"');
  });
  if (c.poll) {
    if (!(c.poll.intervalSeconds > 0)) throw configError('poll.intervalSeconds', c.poll.intervalSeconds, 'a number of seconds > 0');
    if (!(Number.isInteger(c.poll.maxPolls) && c.poll.maxPolls >= 1))
      throw configError('poll.maxPolls', c.poll.maxPolls, 'a whole number ≥ 1');
  }
  return c;
}

const config = validate(loadWorkloadConfig('user-flow', DEFAULTS));
const BASE = baseUrl();
const THINK = thinkTimeSeconds(config.thinkTimeSeconds);

export const options = buildOptions({ configThresholds: config.thresholds });

const pageLoad = new Trend('page_load_duration', true);
const apiFetch = new Trend('api_fetch_duration', true);
const timeToReady = new Trend('poll_time_to_ready', true);
const pollRequests = new Counter('poll_requests');

export function setup(): void {
  requireHealthyTarget(BASE);
}

function url(path: string): string {
  return /^https?:\/\//.test(path) ? path : `${BASE}${path}`;
}

function jsonOf(res: RefinedResponse<ResponseType>): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

function loadPage(): void {
  const started = Date.now();
  const page = http.get(url(config.page.path), { headers: bearerHeaders(), tags: { name: config.page.name } });
  check(page, { 'the page loads with 200': (r) => r.status === 200 && String(r.body ?? '').length > 0 });
  if (config.page.assets.length > 0) {
    const assets = http.batch(
      config.page.assets.map((path) => ({ method: 'GET', url: url(path), params: { tags: { name: `asset ${path}` } } })),
    );
    check(assets, { 'every page asset loads': (list) => list.every((r) => r.status === 200) });
  }
  pageLoad.add(Date.now() - started);
}

function fetchApis(): void {
  if (config.apis.length === 0) return;
  const started = Date.now();
  const responses = http.batch(
    config.apis.map((api) => ({
      method: 'GET',
      url: url(fillTemplates(api.path, {}, `api ${api.name ?? api.path}`)),
      params: { headers: bearerHeaders(), tags: { name: api.name ?? api.path } },
    })),
  );
  apiFetch.add(Date.now() - started);
  check(responses, { 'every API call answers 200 with JSON': (list) => list.every((r) => r.status === 200 && jsonOf(r) !== undefined) });
}

function pollJob(): void {
  const poll = config.poll;
  if (!poll) return;
  const started = Date.now();
  const body = poll.start.body === undefined ? null : JSON.stringify(fillTemplates(poll.start.body, {}, 'poll.start.body'));
  const start = http.request(poll.start.method, url(poll.start.path), body, {
    headers: { 'Content-Type': 'application/json', ...bearerHeaders() },
    tags: { name: 'start job' },
  });
  const id = readPath(jsonOf(start), poll.idField);
  if (!check(start, { 'starting a job returns its id': (r) => r.status >= 200 && r.status < 300 && id !== undefined })) return;
  const statusUrl = url(fillTemplates(poll.statusPath, { id }, 'poll.statusPath'));
  let done = false;
  for (let i = 0; i < poll.maxPolls && !done; i++) {
    sleep(poll.intervalSeconds);
    const res = http.get(statusUrl, { headers: bearerHeaders(), tags: { name: 'poll job' } });
    pollRequests.add(1);
    if (res.status !== 200) break;
    done = readPath(jsonOf(res), poll.doneField) === poll.doneValue;
  }
  if (done) timeToReady.add(Date.now() - started);
  check(null, { 'the job is done before the poll limit': () => done });
}

export default function (): void {
  loadPage();
  if (THINK > 0) sleep(THINK);
  fetchApis();
  pollJob();
  if (THINK > 0) sleep(THINK);
}
