// The demo target's agent: a JSON-RPC 2.0 endpoint in the style of agent-to-agent (A2A) protocols,
// with an agent card that tells a client where the endpoint is and what it can do.
import { randomUUID } from 'node:crypto';
import type { AgentTask, DemoStore } from './target-store.js';

/** JSON-RPC 2.0 error codes; -32001 is the A2A "task not found" code. */
export const RPC_ERRORS = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  taskNotFound: -32001,
} as const;

export function agentCard(origin: string) {
  return {
    name: 'k6-gate demo agent',
    description: 'Echoes and summarises text; a target for the jsonrpc scenario.',
    url: `${origin}/rpc`,
    version: '1.0.0',
    protocolVersion: '0.3.0',
    preferredTransport: 'JSONRPC',
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      { id: 'echo', name: 'Echo', description: 'Answers with the text it was sent.', tags: ['test'] },
      { id: 'summarize', name: 'Summarize', description: 'Answers with the first words of the text.', tags: ['text'] },
    ],
  };
}

interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function failure(id: RpcResponse['id'], code: number, message: string): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function textOf(message: unknown): string | undefined {
  const parts = (message as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts)) return undefined;
  const texts = parts.filter((p): p is { text: string } => typeof (p as { text?: unknown })?.text === 'string').map((p) => p.text);
  return texts.length ? texts.join(' ') : undefined;
}

function call(request: unknown, store: DemoStore): RpcResponse | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return failure(null, RPC_ERRORS.invalidRequest, 'a JSON-RPC request must be an object');
  }
  const r = request as Record<string, unknown>;
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : null;
  if (r.jsonrpc !== '2.0' || typeof r.method !== 'string') {
    return failure(id, RPC_ERRORS.invalidRequest, 'expected {"jsonrpc": "2.0", "method": "...", "id": ...}');
  }
  // A request without an id is a notification: it gets no answer.
  const isNotification = !('id' in r);
  const params = (r.params ?? {}) as Record<string, unknown>;
  let response: RpcResponse;
  switch (r.method) {
    case 'message/send': {
      const text = textOf(params.message);
      if (text === undefined) {
        response = failure(
          id,
          RPC_ERRORS.invalidParams,
          'params.message.parts must hold at least one {"kind": "text", "text": "..."} part',
        );
        break;
      }
      const skill =
        typeof (params.metadata as { skill?: unknown } | undefined)?.skill === 'string'
          ? (params.metadata as { skill: string }).skill
          : 'echo';
      const answer = skill === 'summarize' ? text.split(/\s+/).slice(0, 5).join(' ') : text;
      const task: AgentTask = {
        id: randomUUID(),
        contextId:
          typeof (params.message as { contextId?: unknown }).contextId === 'string'
            ? (params.message as { contextId: string }).contextId
            : randomUUID(),
        kind: 'task',
        status: { state: 'completed', timestamp: new Date().toISOString() },
        artifacts: [{ artifactId: randomUUID(), parts: [{ kind: 'text', text: answer }] }],
      };
      store.saveTask(task);
      response = { jsonrpc: '2.0', id, result: task };
      break;
    }
    case 'tasks/get':
    case 'tasks/cancel': {
      const task = typeof params.id === 'string' ? store.getTask(params.id) : undefined;
      if (!task) {
        response = failure(id, RPC_ERRORS.taskNotFound, `no task with id ${JSON.stringify(params.id)}`);
        break;
      }
      if (r.method === 'tasks/cancel') task.status = { state: 'canceled', timestamp: new Date().toISOString() };
      response = { jsonrpc: '2.0', id, result: task };
      break;
    }
    case 'agent/ping':
      response = { jsonrpc: '2.0', id, result: { pong: true, time: new Date().toISOString() } };
      break;
    default:
      response = failure(id, RPC_ERRORS.methodNotFound, `method ${JSON.stringify(r.method)} not found`);
  }
  return isNotification ? undefined : response;
}

/**
 * Answers one parsed request body: a single request, a batch, or `Symbol.for('parse-error')` when the
 * body was not JSON. `undefined` means nothing to send back (only notifications).
 */
export function handleJsonRpc(body: unknown, store: DemoStore): unknown {
  if (body === Symbol.for('parse-error')) return failure(null, RPC_ERRORS.parse, 'request body is not JSON');
  if (Array.isArray(body)) {
    if (body.length === 0) return failure(null, RPC_ERRORS.invalidRequest, 'an empty batch is not a request');
    const answers = body.map((r) => call(r, store)).filter((a): a is RpcResponse => a !== undefined);
    return answers.length ? answers : undefined;
  }
  return call(body, store);
}
