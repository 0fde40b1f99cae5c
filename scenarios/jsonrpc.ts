// Workload `jsonrpc`: an agent-to-agent client. Each VU discovers the agent through its card at a
// well-known path, then every iteration runs a short conversation of JSON-RPC 2.0 calls, where a
// call can reuse values from earlier answers (e.g. the task id of `message/send` in `tasks/get`).
//
//   k6 run -e BASE_URL=... -e CONFIG_FILE=examples/jsonrpc.json scenarios/jsonrpc.ts
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { bearerHeaders } from './lib/auth.ts';
import { baseUrl, configError, loadWorkloadConfig, thinkTimeSeconds } from './lib/config.ts';
import { fillTemplates, MissingVariableError, readPath, uuid } from './lib/data.ts';
import { requireHealthyTarget } from './lib/health.ts';
import { buildOptions } from './lib/profiles.ts';

interface RpcCall {
  /** The `name` tag of the request (default: the method). */
  name?: string;
  method: string;
  params?: unknown;
  /** Values to keep for later calls: variable → dot path in the answer, e.g. {"taskId": "result.id"}. */
  save?: Record<string, string>;
  /** Expect a JSON-RPC error with this code instead of a result. */
  expectErrorCode?: number;
}

interface RpcConfig {
  agentCardPath: string;
  /** JSON-RPC endpoint; empty means "the `url` of the agent card". */
  endpoint?: string;
  /** Fetch the card again every iteration (true) or once per VU (false). */
  discoverEveryIteration: boolean;
  calls: RpcCall[];
  thinkTimeSeconds: number;
  /** Replace default thresholds per metric (see docs/scenarios.md). */
  thresholds?: Record<string, unknown>;
}

const DEFAULTS: RpcConfig = {
  agentCardPath: '/.well-known/agent.json',
  discoverEveryIteration: false,
  calls: [
    {
      name: 'send message',
      method: 'message/send',
      params: {
        message: { role: 'user', messageId: '{{uuid}}', parts: [{ kind: 'text', text: 'hello from k6, VU {{vu}} iteration {{iter}}' }] },
      },
      save: { taskId: 'result.id' },
    },
    { name: 'get task', method: 'tasks/get', params: { id: '{{var taskId}}' } },
    { name: 'unknown method', method: 'agent/does-not-exist', expectErrorCode: -32601 },
  ],
  thinkTimeSeconds: 1,
};

function validate(c: RpcConfig): RpcConfig {
  if (!Array.isArray(c.calls) || c.calls.length === 0) throw configError('calls', c.calls, 'a non-empty list of {"method", "params"}');
  c.calls.forEach((call, i) => {
    if (typeof call?.method !== 'string' || call.method === '')
      throw configError(`calls[${i}].method`, call?.method, 'a JSON-RPC method name such as "message/send"');
    if (call.expectErrorCode !== undefined && !Number.isInteger(call.expectErrorCode))
      throw configError(`calls[${i}].expectErrorCode`, call.expectErrorCode, 'a whole number such as -32601');
  });
  return c;
}

const config = validate(loadWorkloadConfig('jsonrpc', DEFAULTS));
const BASE = baseUrl();
const THINK = thinkTimeSeconds(config.thinkTimeSeconds);

export const options = buildOptions({ errorMetrics: ['http_req_failed', 'jsonrpc_call_errors'], configThresholds: config.thresholds });

const discoveryDuration = new Trend('a2a_discovery_duration', true);
const callDuration = new Trend('jsonrpc_call_duration', true);
const callErrors = new Rate('jsonrpc_call_errors');

export function setup(): void {
  requireHealthyTarget(BASE);
}

let endpoint: string | undefined;

function discover(): string | undefined {
  const res = http.get(`${BASE}${config.agentCardPath}`, { headers: bearerHeaders(), tags: { name: 'agent card' } });
  discoveryDuration.add(res.timings.duration);
  let card: unknown;
  try {
    card = res.json();
  } catch {
    card = undefined;
  }
  const url = readPath(card, 'url');
  check(res, {
    'the agent card names the agent and its endpoint': (r) =>
      r.status === 200 && typeof readPath(card, 'name') === 'string' && typeof url === 'string',
  });
  if (config.endpoint) return /^https?:\/\//.test(config.endpoint) ? config.endpoint : `${BASE}${config.endpoint}`;
  return typeof url === 'string' ? url : undefined;
}

export default function (): void {
  if (endpoint === undefined || config.discoverEveryIteration) endpoint = discover();
  if (endpoint === undefined) {
    if (THINK > 0) sleep(THINK);
    return;
  }
  const vars: Record<string, unknown> = {};
  for (const call of config.calls) {
    const id = uuid();
    const name = call.name ?? call.method;
    let request: { jsonrpc: '2.0'; id: string; method: string; params?: unknown };
    try {
      request = {
        jsonrpc: '2.0',
        id,
        method: call.method,
        ...(call.params === undefined ? {} : { params: fillTemplates(call.params, vars, `call ${name}`) }),
      };
    } catch (error) {
      // A value from an earlier answer is missing: that call failed and was counted; skip this one.
      if (error instanceof MissingVariableError) continue;
      throw error;
    }
    const res = http.post(endpoint, JSON.stringify(request), {
      headers: { 'Content-Type': 'application/json', ...bearerHeaders() },
      tags: { name },
    });
    callDuration.add(res.timings.duration, { method: call.method });
    let answer: unknown;
    try {
      answer = res.json();
    } catch {
      answer = undefined;
    }
    const error = readPath(answer, 'error');
    const passed = check(res, {
      'the JSON-RPC answer is 2.0 with the request id': (r) =>
        r.status === 200 && readPath(answer, 'jsonrpc') === '2.0' && readPath(answer, 'id') === id,
      'the JSON-RPC call gives the expected result or error': () =>
        call.expectErrorCode === undefined
          ? error === undefined && readPath(answer, 'result') !== undefined
          : readPath(error, 'code') === call.expectErrorCode,
    });
    callErrors.add(!passed, { method: call.method });
    for (const [variable, from] of Object.entries(call.save ?? {})) {
      const value = readPath(answer, from);
      if (value !== undefined) vars[variable] = value;
    }
  }
  if (THINK > 0) sleep(THINK);
}
