// Workload `crud-flow`: a user logs in (a share of them registering first), works on a resource
// with a configurable mix of create/list/get/update/delete, then logs out.
//
//   k6 run -e BASE_URL=... -e PROFILE=load -e CONFIG_FILE=examples/crud-flow.json scenarios/crud-flow.ts
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { authToken, bearerHeaders } from './lib/auth.ts';
import { baseUrl, configError, envVar, loadWorkloadConfig, thinkTimeSeconds } from './lib/config.ts';
import { fillTemplates, pickWeighted, readPath, uniqueName } from './lib/data.ts';
import { requireHealthyTarget } from './lib/health.ts';
import { buildOptions } from './lib/profiles.ts';

type Operation = 'create' | 'list' | 'get' | 'update' | 'delete';
const OPERATIONS: Operation[] = ['create', 'list', 'get', 'update', 'delete'];

interface CrudConfig {
  auth: {
    /** `login`: log in per iteration; `token`: use AUTH_TOKEN for every request, no login/logout. */
    mode: 'login' | 'token';
    registerPath: string;
    loginPath: string;
    logoutPath: string;
    /** Share of iterations that register a new account before logging in (0..1). */
    newUserRatio: number;
    existingUsers: Array<{ username: string; password: string }>;
    /** Where the token is in the login answer (dot path). */
    tokenField: string;
  };
  resource: {
    /** Collection path; items are at `<path>/<id>`. */
    path: string;
    idField: string;
    /** Body of a create; `{{...}}` templates allowed. */
    create: Record<string, unknown>;
    update: Record<string, unknown>;
  };
  /** Relative weights of the operations (need not sum to 100). */
  mix: Record<Operation, number>;
  operationsPerIteration: number;
  thinkTimeSeconds: number;
  /** Replace default thresholds per metric (see docs/scenarios.md). */
  thresholds?: Record<string, unknown>;
}

const DEFAULTS: CrudConfig = {
  auth: {
    mode: 'login',
    registerPath: '/api/auth/register',
    loginPath: '/api/auth/login',
    logoutPath: '/api/auth/logout',
    newUserRatio: 0.3,
    existingUsers: Array.from({ length: 10 }, (_, i) => ({ username: `demo-user-${i + 1}`, password: 'demo-password' })),
    tokenField: 'token',
  },
  resource: {
    path: '/api/items',
    idField: 'id',
    create: { name: 'item {{randString 6}}', description: 'created by k6', quantity: '{{randInt 1 10}}' },
    update: { name: 'renamed {{randString 6}}', quantity: '{{randInt 1 10}}' },
  },
  mix: { create: 30, list: 40, get: 20, update: 10, delete: 10 },
  operationsPerIteration: 5,
  thinkTimeSeconds: 1,
};

function validate(c: CrudConfig): CrudConfig {
  if (c.auth.mode !== 'login' && c.auth.mode !== 'token') throw configError('auth.mode', c.auth.mode, '"login" or "token"');
  if (c.auth.mode === 'token' && !authToken()) throw new Error('crud-flow auth.mode "token" needs the AUTH_TOKEN variable');
  if (!(c.auth.newUserRatio >= 0 && c.auth.newUserRatio <= 1))
    throw configError('auth.newUserRatio', c.auth.newUserRatio, 'a number from 0 to 1');
  if (c.auth.mode === 'login' && c.auth.newUserRatio < 1 && (!Array.isArray(c.auth.existingUsers) || c.auth.existingUsers.length === 0)) {
    throw configError('auth.existingUsers', c.auth.existingUsers, 'a non-empty list of {"username", "password"} (or newUserRatio 1)');
  }
  for (const op of Object.keys(c.mix)) {
    if (!OPERATIONS.includes(op as Operation))
      throw configError(`mix.${op}`, c.mix[op as Operation], `a weight of one of ${OPERATIONS.join(', ')}`);
    if (!(c.mix[op as Operation] >= 0)) throw configError(`mix.${op}`, c.mix[op as Operation], 'a number ≥ 0');
  }
  if (!OPERATIONS.some((op) => c.mix[op] > 0)) throw configError('mix', c.mix, 'at least one operation with a weight above 0');
  if (!(Number.isInteger(c.operationsPerIteration) && c.operationsPerIteration >= 1))
    throw configError('operationsPerIteration', c.operationsPerIteration, 'a whole number ≥ 1');
  return c;
}

const config = validate(loadWorkloadConfig('crud-flow', DEFAULTS));
const BASE = baseUrl();
const THINK = thinkTimeSeconds(config.thinkTimeSeconds);
// A shared password for the seeded accounts can come from a variable instead of the config file.
const EXISTING_PASSWORD = envVar('CRUD_PASSWORD');
const weightedOps = OPERATIONS.map((op) => ({ op, weight: config.mix[op] ?? 0 }));

export const options = buildOptions({ configThresholds: config.thresholds });

const durations: Record<Operation | 'register' | 'login' | 'logout', Trend> = {
  register: new Trend('crud_register_duration', true),
  login: new Trend('crud_login_duration', true),
  logout: new Trend('crud_logout_duration', true),
  create: new Trend('crud_create_duration', true),
  list: new Trend('crud_list_duration', true),
  get: new Trend('crud_get_duration', true),
  update: new Trend('crud_update_duration', true),
  delete: new Trend('crud_delete_duration', true),
};
const operations = new Counter('crud_operations');

export function setup(): void {
  requireHealthyTarget(BASE);
}

function jsonParams(name: string, token?: string) {
  return { headers: { 'Content-Type': 'application/json', ...bearerHeaders(token) }, tags: { name } };
}

function json(res: RefinedResponse<ResponseType>): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/** Returns a token for this iteration, or undefined when login failed (already counted by checks). */
function logIn(): string | undefined {
  const { auth } = config;
  let user: { username: string; password: string };
  if (Math.random() < auth.newUserRatio) {
    user = { username: uniqueName('k6-user'), password: uniqueName('pw') };
    const res = http.post(`${BASE}${auth.registerPath}`, JSON.stringify(user), jsonParams('register'));
    durations.register.add(res.timings.duration);
    if (!check(res, { 'registering a new user succeeds': (r) => r.status === 200 || r.status === 201 })) return undefined;
  } else {
    const known = auth.existingUsers[Math.floor(Math.random() * auth.existingUsers.length)];
    user = { username: known.username, password: EXISTING_PASSWORD ?? known.password };
  }
  const res = http.post(`${BASE}${auth.loginPath}`, JSON.stringify(user), jsonParams('login'));
  durations.login.add(res.timings.duration);
  const token = readPath(json(res), auth.tokenField);
  const ok = check(res, { 'logging in returns a token': (r) => r.status === 200 && typeof token === 'string' && token !== '' });
  return ok ? (token as string) : undefined;
}

function runOperation(op: Operation, token: string | undefined, ids: string[]): void {
  const { resource } = config;
  const collection = `${BASE}${resource.path}`;
  // get/update/delete need an item of this user; create one first when there is none yet.
  const effective: Operation = op !== 'create' && op !== 'list' && ids.length === 0 ? 'create' : op;
  const id = ids[Math.floor(Math.random() * ids.length)];
  let res: RefinedResponse<ResponseType>;
  switch (effective) {
    case 'create': {
      res = http.post(collection, JSON.stringify(fillTemplates(resource.create, {}, 'resource.create')), jsonParams('create item', token));
      const newId = readPath(json(res), resource.idField);
      check(res, {
        'creating an item returns 201 and its id': (r) => r.status === 201 && (typeof newId === 'string' || typeof newId === 'number'),
      });
      if (typeof newId === 'string' || typeof newId === 'number') ids.push(String(newId));
      break;
    }
    case 'list':
      res = http.get(collection, jsonParams('list items', token));
      check(res, {
        'listing items returns 200 and a list': (r) => r.status === 200 && Array.isArray(readPath(json(r), 'items') ?? json(r)),
      });
      break;
    case 'get':
      res = http.get(`${collection}/${encodeURIComponent(id)}`, jsonParams('get item', token));
      check(res, { 'getting an item returns it': (r) => r.status === 200 && String(readPath(json(r), resource.idField)) === id });
      break;
    case 'update':
      res = http.put(
        `${collection}/${encodeURIComponent(id)}`,
        JSON.stringify(fillTemplates(resource.update, {}, 'resource.update')),
        jsonParams('update item', token),
      );
      check(res, { 'updating an item returns 200': (r) => r.status === 200 });
      break;
    case 'delete':
      res = http.del(`${collection}/${encodeURIComponent(id)}`, null, jsonParams('delete item', token));
      check(res, { 'deleting an item returns 200 or 204': (r) => r.status === 200 || r.status === 204 });
      ids.splice(ids.indexOf(id), 1);
      break;
  }
  durations[effective].add(res.timings.duration);
  operations.add(1, { operation: effective });
}

export default function (): void {
  const useLogin = config.auth.mode === 'login';
  const token = useLogin ? logIn() : authToken();
  if (!token) {
    if (THINK > 0) sleep(THINK);
    return;
  }
  const ids: string[] = [];
  for (let i = 0; i < config.operationsPerIteration; i++) {
    runOperation(pickWeighted(weightedOps).op, token, ids);
    if (THINK > 0) sleep(THINK);
  }
  if (useLogin) {
    const res = http.post(`${BASE}${config.auth.logoutPath}`, null, jsonParams('logout', token));
    durations.logout.add(res.timings.duration);
    check(res, { 'logging out succeeds': (r) => r.status === 200 || r.status === 204 });
  }
}
