export const id = 118;
export const ids = [118];
export const modules = {

/***/ 2118:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEMO_RUN_ENV: () => (/* binding */ DEMO_RUN_ENV),
  demoBaselinePath: () => (/* binding */ demoBaselinePath),
  demoRulesPath: () => (/* binding */ demoRulesPath),
  parseSlowdown: () => (/* binding */ parseSlowdown),
  runDemo: () => (/* binding */ runDemo),
  startDemoTargetFromFlags: () => (/* binding */ startDemoTargetFromFlags)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts
var src_config = __webpack_require__(2973);
// EXTERNAL MODULE: ./src/input-spec.ts
var input_spec = __webpack_require__(2523);
// EXTERNAL MODULE: ./src/inputs.ts + 4 modules
var src_inputs = __webpack_require__(3445);
// EXTERNAL MODULE: ./src/gate/gate.ts + 33 modules
var gate = __webpack_require__(6959);
// EXTERNAL MODULE: ./src/baseline/compare.ts
var compare = __webpack_require__(6228);
// EXTERNAL MODULE: ./src/scenarios.ts
var scenarios = __webpack_require__(4096);
// EXTERNAL MODULE: ./src/report/markdown.ts + 3 modules
var markdown = __webpack_require__(6267);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
;// CONCATENATED MODULE: ./demo/target-random.ts
// A seedable random source for the demo target: tests need the same latencies and injected errors
// from run to run, which Math.random cannot give.
/** mulberry32: tiny, fast and good enough to spread latencies and errors evenly. */
function createRandom(seed) {
    let state = seed >>> 0;
    return {
        next() {
            state = (state + 0x6d2b79f5) >>> 0;
            let t = state;
            t = Math.imul(t ^ (t >>> 15), t | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        },
    };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./demo/target-store.ts
// In-memory state of the demo target: catalog, users, sessions, items, agent tasks and reports.
// Every collection is capped so that a long benchmark against the demo cannot grow memory without end.

const MAX_USERS = 100_000;
const MAX_SESSIONS = 100_000;
const MAX_ITEMS = 100_000;
const MAX_TASKS = 10_000;
const MAX_REPORTS = 10_000;
/** Seeded accounts so that a "login as an existing user" flow works without registering first. */
const DEMO_USERS = Array.from({ length: 10 }, (_, i) => ({ username: `demo-user-${i + 1}`, password: 'demo-password' }));
/** Map insertion order is age order, so dropping the first key drops the oldest entry. */
function capped(map, max) {
    while (map.size > max) {
        const oldest = map.keys().next();
        if (oldest.done)
            return;
        map.delete(oldest.value);
    }
}
class DemoStore {
    products;
    users = new Map();
    sessions = new Map();
    items = new Map();
    /** Item ids per owner, oldest first, so listing does not scan every user's items. */
    itemsByOwner = new Map();
    tasks = new Map();
    reports = new Map();
    constructor() {
        this.products = Array.from({ length: 20 }, (_, i) => ({
            id: i + 1,
            name: `Product ${i + 1}`,
            price: Math.round((5 + ((i * 37) % 95) + 0.99) * 100) / 100,
            stock: (i * 13) % 50,
        }));
        for (const user of DEMO_USERS)
            this.users.set(user.username, user.password);
    }
    register(username, password) {
        if (this.users.has(username))
            return 'exists';
        this.users.set(username, password);
        capped(this.users, MAX_USERS);
        return 'created';
    }
    login(username, password) {
        if (this.users.get(username) !== password)
            return undefined;
        const token = (0,external_node_crypto_.randomBytes)(18).toString('base64url');
        this.sessions.set(token, username);
        capped(this.sessions, MAX_SESSIONS);
        return token;
    }
    userForToken(token) {
        return token === undefined ? undefined : this.sessions.get(token);
    }
    logout(token) {
        return this.sessions.delete(token);
    }
    createItem(owner, fields) {
        const now = new Date().toISOString();
        const item = { id: (0,external_node_crypto_.randomUUID)(), owner, ...fields, createdAt: now, updatedAt: now };
        this.items.set(item.id, item);
        let owned = this.itemsByOwner.get(owner);
        if (!owned)
            this.itemsByOwner.set(owner, (owned = new Set()));
        owned.add(item.id);
        while (this.items.size > MAX_ITEMS) {
            const oldest = this.items.keys().next();
            if (oldest.done)
                break;
            this.removeItem(oldest.value);
        }
        return item;
    }
    /** Other users' items do not exist for the caller (404, not 403), like most multi-tenant APIs. */
    getItem(owner, id) {
        const item = this.items.get(id);
        return item && item.owner === owner ? item : undefined;
    }
    listItems(owner, limit) {
        const ids = [...(this.itemsByOwner.get(owner) ?? [])];
        const out = [];
        for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
            const item = this.items.get(ids[i]);
            if (item)
                out.push(item);
        }
        return out;
    }
    updateItem(owner, id, fields) {
        const item = this.getItem(owner, id);
        if (!item)
            return undefined;
        Object.assign(item, fields, { updatedAt: new Date().toISOString() });
        return item;
    }
    deleteItem(owner, id) {
        if (!this.getItem(owner, id))
            return false;
        this.removeItem(id);
        return true;
    }
    removeItem(id) {
        const item = this.items.get(id);
        if (!item)
            return;
        this.items.delete(id);
        const owned = this.itemsByOwner.get(item.owner);
        owned?.delete(id);
        if (owned && owned.size === 0)
            this.itemsByOwner.delete(item.owner);
    }
    saveTask(task) {
        this.tasks.set(task.id, task);
        capped(this.tasks, MAX_TASKS);
    }
    getTask(id) {
        return this.tasks.get(id);
    }
    createReport(readyInMs) {
        const now = Date.now();
        const report = { id: (0,external_node_crypto_.randomUUID)(), createdAt: now, readyAt: now + readyInMs };
        this.reports.set(report.id, report);
        capped(this.reports, MAX_REPORTS);
        return report;
    }
    getReport(id) {
        return this.reports.get(id);
    }
}

// EXTERNAL MODULE: ./node_modules/ws/wrapper.mjs
var wrapper = __webpack_require__(2977);
;// CONCATENATED MODULE: ./demo/target-ws.ts

function attachWebSocket(server, options) {
    const wss = new wrapper/* WebSocketServer */.zu({ noServer: true, maxPayload: 64 * 1024 });
    const rooms = new Map();
    server.on('upgrade', (req, socket, head) => {
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (pathname !== options.path) {
            socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
            return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    function send(socket, message) {
        if (socket.readyState === socket.OPEN)
            socket.send(JSON.stringify(message));
    }
    function usersOf(room) {
        return [...(rooms.get(room) ?? [])].map((m) => m.user ?? 'anonymous');
    }
    function broadcast(room, message) {
        for (const member of rooms.get(room) ?? [])
            send(member.socket, message);
    }
    function leave(member) {
        if (!member.room)
            return;
        const room = member.room;
        const set = rooms.get(room);
        set?.delete(member);
        if (set && set.size === 0)
            rooms.delete(room);
        member.room = undefined;
        broadcast(room, { type: 'presence', event: 'leave', room, user: member.user, users: usersOf(room) });
    }
    wss.on('connection', (socket) => {
        const member = { socket };
        send(socket, { type: 'welcome', time: Date.now() });
        socket.on('message', (data) => {
            let message;
            try {
                const parsed = JSON.parse(String(data));
                if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
                    throw new Error('not an object');
                message = parsed;
            }
            catch {
                send(socket, { type: 'error', error: 'messages must be JSON objects with a "type"' });
                return;
            }
            switch (message.type) {
                case 'echo': {
                    const failed = options.injectError();
                    void options
                        .wait(options.delayMs())
                        .then(() => send(socket, failed
                        ? { type: 'error', id: message.id, error: 'injected failure (demo errorRate knob)' }
                        : { ...message, serverTime: Date.now() }));
                    break;
                }
                case 'join': {
                    if (typeof message.room !== 'string' || message.room === '') {
                        send(socket, { type: 'error', error: 'join needs a non-empty "room"' });
                        break;
                    }
                    leave(member);
                    member.room = message.room;
                    member.user = typeof message.user === 'string' ? message.user : 'anonymous';
                    let set = rooms.get(member.room);
                    if (!set)
                        rooms.set(member.room, (set = new Set()));
                    set.add(member);
                    broadcast(member.room, { type: 'presence', event: 'join', room: member.room, user: member.user, users: usersOf(member.room) });
                    break;
                }
                case 'leave':
                    leave(member);
                    break;
                case 'cursor': {
                    if (!member.room) {
                        send(socket, { type: 'error', error: 'join a room before sending cursor positions' });
                        break;
                    }
                    // Sent to everyone in the room, the sender too, so a lone client still sees its fan-out.
                    broadcast(member.room, { type: 'cursor', user: member.user, x: message.x, y: message.y, sentAt: message.sentAt });
                    break;
                }
                default:
                    send(socket, {
                        type: 'error',
                        error: `unknown message type ${JSON.stringify(message.type)}; expected echo, join, leave or cursor`,
                    });
            }
        });
        socket.on('close', () => leave(member));
        socket.on('error', () => leave(member));
    });
    return {
        close() {
            for (const client of wss.clients)
                client.terminate();
            return new Promise((resolve) => wss.close(() => resolve()));
        },
    };
}

;// CONCATENATED MODULE: ./demo/target-rpc.ts
// The demo target's agent: a JSON-RPC 2.0 endpoint in the style of agent-to-agent (A2A) protocols,
// with an agent card that tells a client where the endpoint is and what it can do.

/** JSON-RPC 2.0 error codes; -32001 is the A2A "task not found" code. */
const RPC_ERRORS = {
    parse: -32700,
    invalidRequest: -32600,
    methodNotFound: -32601,
    invalidParams: -32602,
    taskNotFound: -32001,
};
function agentCard(origin) {
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
function failure(id, code, message) {
    return { jsonrpc: '2.0', id, error: { code, message } };
}
function textOf(message) {
    const parts = message?.parts;
    if (!Array.isArray(parts))
        return undefined;
    const texts = parts.filter((p) => typeof p?.text === 'string').map((p) => p.text);
    return texts.length ? texts.join(' ') : undefined;
}
function call(request, store) {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        return failure(null, RPC_ERRORS.invalidRequest, 'a JSON-RPC request must be an object');
    }
    const r = request;
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : null;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string') {
        return failure(id, RPC_ERRORS.invalidRequest, 'expected {"jsonrpc": "2.0", "method": "...", "id": ...}');
    }
    // A request without an id is a notification: it gets no answer.
    const isNotification = !('id' in r);
    const params = (r.params ?? {});
    let response;
    switch (r.method) {
        case 'message/send': {
            const text = textOf(params.message);
            if (text === undefined) {
                response = failure(id, RPC_ERRORS.invalidParams, 'params.message.parts must hold at least one {"kind": "text", "text": "..."} part');
                break;
            }
            const skill = typeof params.metadata?.skill === 'string'
                ? params.metadata.skill
                : 'echo';
            const answer = skill === 'summarize' ? text.split(/\s+/).slice(0, 5).join(' ') : text;
            const task = {
                id: (0,external_node_crypto_.randomUUID)(),
                contextId: typeof params.message.contextId === 'string'
                    ? params.message.contextId
                    : (0,external_node_crypto_.randomUUID)(),
                kind: 'task',
                status: { state: 'completed', timestamp: new Date().toISOString() },
                artifacts: [{ artifactId: (0,external_node_crypto_.randomUUID)(), parts: [{ kind: 'text', text: answer }] }],
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
            if (r.method === 'tasks/cancel')
                task.status = { state: 'canceled', timestamp: new Date().toISOString() };
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
function handleJsonRpc(body, store) {
    if (body === Symbol.for('parse-error'))
        return failure(null, RPC_ERRORS.parse, 'request body is not JSON');
    if (Array.isArray(body)) {
        if (body.length === 0)
            return failure(null, RPC_ERRORS.invalidRequest, 'an empty batch is not a request');
        const answers = body.map((r) => call(r, store)).filter((a) => a !== undefined);
        return answers.length ? answers : undefined;
    }
    return call(body, store);
}

;// CONCATENATED MODULE: ./demo/target-routes.ts

/** How long a queued report takes to become ready, before slowdown. */
const REPORT_READY_MS = 300;
const MAX_BODY_BYTES = 1024 * 1024;
class HttpError extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}
function json(status, body) {
    return { status, body };
}
function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}
function requireString(body, field) {
    const value = body?.[field];
    if (typeof value !== 'string' || value === '') {
        throw new HttpError(400, `field ${JSON.stringify(field)} must be a non-empty string`);
    }
    return value;
}
function objectBody(body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'request body must be a JSON object');
    }
    return body;
}
const APP_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>k6-gate demo shop</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><h1>Demo shop</h1><div id="feed"></div><script src="/static/app.js"></script></body></html>
`;
const APP_CSS = 'body{font-family:sans-serif;margin:2rem}h1{color:#7d64ff}\n';
const APP_JS = "fetch('/api/feed').then((r)=>r.json()).then((d)=>{document.getElementById('feed').textContent=d.items.length+' posts'});\n";
function createRouter(store, random, knobs) {
    function user(ctx) {
        const name = store.userForToken(ctx.bearer());
        if (!name)
            throw new HttpError(401, 'missing or unknown bearer token; log in at POST /api/auth/login');
        return name;
    }
    function itemFields(body, partial) {
        const out = {};
        if (body.name !== undefined || !partial)
            out.name = requireString(body, 'name');
        if (body.description !== undefined) {
            if (typeof body.description !== 'string')
                throw new HttpError(400, 'field "description" must be a string');
            out.description = body.description;
        }
        if (body.quantity !== undefined) {
            if (typeof body.quantity !== 'number' || !Number.isInteger(body.quantity) || body.quantity < 0) {
                throw new HttpError(400, 'field "quantity" must be a whole number ≥ 0');
            }
            out.quantity = body.quantity;
        }
        return out;
    }
    function feedItems(count, offset) {
        return Array.from({ length: count }, (_, i) => ({
            id: offset + i + 1,
            title: `Post ${offset + i + 1}`,
            likes: ((offset + i) * 7) % 100,
        }));
    }
    const routes = [];
    const route = (method, pattern, handler) => routes.push({ method, pattern, handler });
    // Catalog (http-endpoints workload).
    route('GET', /^\/api\/products$/, (ctx) => {
        const limit = Number(ctx.url.searchParams.get('limit') ?? store.products.length);
        return json(200, {
            items: store.products.slice(0, Number.isFinite(limit) && limit > 0 ? limit : store.products.length),
            total: store.products.length,
        });
    });
    route('GET', /^\/api\/products\/([^/]+)$/, (_ctx, [id]) => {
        const product = store.products.find((p) => String(p.id) === id);
        return product ? json(200, product) : json(404, { error: `no product with id ${JSON.stringify(id)}` });
    });
    route('POST', /^\/api\/orders$/, async (ctx) => {
        const body = objectBody(await ctx.body());
        const product = store.products.find((p) => p.id === body.productId);
        if (!product)
            throw new HttpError(400, 'field "productId" must be the id of a product (1-20)');
        const quantity = typeof body.quantity === 'number' && body.quantity > 0 ? Math.floor(body.quantity) : 1;
        return json(201, {
            id: `ord-${Date.now().toString(36)}-${Math.floor(random.next() * 1e6)}`,
            productId: product.id,
            quantity,
            total: Math.round(product.price * quantity * 100) / 100,
        });
    });
    // Accounts and a per-user resource (crud-flow workload).
    route('POST', /^\/api\/auth\/register$/, async (ctx) => {
        const body = objectBody(await ctx.body());
        const username = requireString(body, 'username');
        const password = requireString(body, 'password');
        if (store.register(username, password) === 'exists')
            return json(409, { error: `user ${JSON.stringify(username)} already exists` });
        return json(201, { username });
    });
    route('POST', /^\/api\/auth\/login$/, async (ctx) => {
        const body = objectBody(await ctx.body());
        const token = store.login(requireString(body, 'username'), requireString(body, 'password'));
        return token ? json(200, { token, tokenType: 'Bearer', expiresIn: 3600 }) : json(401, { error: 'wrong username or password' });
    });
    route('POST', /^\/api\/auth\/logout$/, (ctx) => {
        user(ctx);
        store.logout(ctx.bearer());
        return json(204);
    });
    route('GET', /^\/api\/me$/, (ctx) => json(200, { username: user(ctx) }));
    route('GET', /^\/api\/items$/, (ctx) => {
        const limit = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('limit') ?? 20) || 20));
        const items = store.listItems(user(ctx), limit);
        return json(200, { items, count: items.length });
    });
    route('POST', /^\/api\/items$/, async (ctx) => {
        const owner = user(ctx);
        const fields = itemFields(objectBody(await ctx.body()), false);
        return json(201, store.createItem(owner, { name: fields.name, description: fields.description ?? '', quantity: fields.quantity ?? 0 }));
    });
    route('GET', /^\/api\/items\/([^/]+)$/, (ctx, [id]) => {
        const item = store.getItem(user(ctx), id);
        return item ? json(200, item) : json(404, { error: `no item with id ${JSON.stringify(id)}` });
    });
    route('PUT', /^\/api\/items\/([^/]+)$/, async (ctx, [id]) => {
        const owner = user(ctx);
        const item = store.updateItem(owner, id, itemFields(objectBody(await ctx.body()), true));
        return item ? json(200, item) : json(404, { error: `no item with id ${JSON.stringify(id)}` });
    });
    route('DELETE', /^\/api\/items\/([^/]+)$/, (ctx, [id]) => store.deleteItem(user(ctx), id) ? json(204) : json(404, { error: `no item with id ${JSON.stringify(id)}` }));
    // Agent-to-agent JSON-RPC (jsonrpc workload).
    const card = (ctx) => json(200, agentCard(ctx.origin));
    route('GET', /^\/\.well-known\/agent\.json$/, card);
    route('GET', /^\/\.well-known\/agent-card\.json$/, card);
    route('POST', /^\/rpc$/, async (ctx) => {
        let parsed;
        try {
            parsed = JSON.parse(await readBody(ctx.req));
        }
        catch (error) {
            if (error instanceof HttpError)
                throw error;
            parsed = Symbol.for('parse-error');
        }
        return json(200, handleJsonRpc(parsed, store));
    });
    // Pages, feed APIs and a report to poll (user-flow workload).
    route('GET', /^\/(app)?$/, () => ({ status: 200, body: APP_HTML, contentType: 'text/html; charset=utf-8' }));
    route('GET', /^\/static\/app\.css$/, () => ({ status: 200, body: APP_CSS, contentType: 'text/css; charset=utf-8' }));
    route('GET', /^\/static\/app\.js$/, () => ({ status: 200, body: APP_JS, contentType: 'text/javascript; charset=utf-8' }));
    route('GET', /^\/api\/feed$/, (ctx) => {
        const page = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1);
        return json(200, { page, items: feedItems(10, (page - 1) * 10) });
    });
    route('GET', /^\/api\/notifications$/, () => json(200, {
        unread: 3,
        items: [
            { id: 1, text: 'Your order shipped' },
            { id: 2, text: 'New follower' },
            { id: 3, text: 'Price drop' },
        ],
    }));
    route('GET', /^\/api\/recommendations$/, () => json(200, { items: store.products.slice(0, 5).map((p) => ({ productId: p.id, score: 1 - p.id / 100 })) }));
    route('POST', /^\/api\/reports$/, (ctx) => {
        const report = store.createReport(REPORT_READY_MS * (1 + knobs().slowdown));
        return {
            status: 202,
            body: { id: report.id, status: 'pending', poll: `/api/reports/${report.id}` },
            headers: { location: `${ctx.origin}/api/reports/${report.id}` },
        };
    });
    route('GET', /^\/api\/reports\/([^/]+)$/, (_ctx, [id]) => {
        const report = store.getReport(id);
        if (!report)
            return json(404, { error: `no report with id ${JSON.stringify(id)}` });
        const total = report.readyAt - report.createdAt;
        const progress = total <= 0 ? 1 : Math.min(1, (Date.now() - report.createdAt) / total);
        return json(200, { id, status: progress >= 1 ? 'ready' : 'pending', progress: Math.round(progress * 100) / 100 });
    });
    return async (ctx) => {
        const method = ctx.req.method ?? 'GET';
        let pathMatched = false;
        for (const r of routes) {
            const m = r.pattern.exec(ctx.url.pathname);
            if (!m)
                continue;
            pathMatched = true;
            if (r.method !== method)
                continue;
            return r.handler(ctx, m.slice(1).map((part) => decodeURIComponent(part ?? '')));
        }
        return pathMatched
            ? json(405, { error: `method ${method} is not allowed on ${ctx.url.pathname}` })
            : json(404, { error: `no route for ${method} ${ctx.url.pathname}` });
    };
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./demo/target-knobs.ts
// The demo target's knobs: latency, jitter, errors, a slowdown, a spike, and one endpoint made slow
// and failing. Checked here, whether they come from the demo's flags, a test or POST /__knobs.

function checkEndpointFault(fault) {
    if (!fault.path.startsWith('/')) {
        throw new errors/* ExpectedError */.Dh(`slow endpoint ${JSON.stringify(fault.path)} is not a path; expected e.g. "/api/orders"`);
    }
    if (!(Number.isFinite(fault.slowdown) && fault.slowdown > -1)) {
        throw new errors/* ExpectedError */.Dh(`slow endpoint slowdown ${JSON.stringify(fault.slowdown)} is not valid; expected a number above -1 (2 = +200%)`);
    }
    if (!(Number.isFinite(fault.errorRate) && fault.errorRate >= 0 && fault.errorRate <= 1)) {
        throw new errors/* ExpectedError */.Dh(`slow endpoint error rate ${JSON.stringify(fault.errorRate)} is not valid; expected a number from 0 to 1`);
    }
    return fault;
}
const DEFAULT_DEMO_KNOBS = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0, spikeRequests: 0, spikeSlowdown: 1 };
/** Checks knob values and returns the merged knobs; a bad value is an error naming it. */
function mergeKnobs(current, change) {
    const next = { ...current };
    for (const [key, value] of Object.entries(change)) {
        if (value === undefined)
            continue;
        if (!(key in DEFAULT_DEMO_KNOBS)) {
            throw new errors/* ExpectedError */.Dh(`unknown demo knob ${JSON.stringify(key)}; expected one of ${Object.keys(DEFAULT_DEMO_KNOBS).join(', ')}`);
        }
        const ok = typeof value === 'number' &&
            Number.isFinite(value) &&
            (key === 'errorRate'
                ? value >= 0 && value <= 1
                : key === 'slowdown' || key === 'spikeSlowdown'
                    ? value > -1
                    : key === 'spikeRequests'
                        ? Number.isInteger(value) && value >= 0
                        : value >= 0);
        if (!ok) {
            const expected = key === 'errorRate'
                ? 'a number from 0 to 1'
                : key === 'slowdown' || key === 'spikeSlowdown'
                    ? 'a number above -1 (0.5 = +50% latency)'
                    : key === 'spikeRequests'
                        ? 'a whole number of requests ≥ 0'
                        : 'a number of milliseconds ≥ 0';
            throw new errors/* ExpectedError */.Dh(`demo knob ${key} = ${JSON.stringify(value)} is not valid; expected ${expected}`);
        }
        next[key] = value;
    }
    return next;
}

;// CONCATENATED MODULE: ./demo/target.ts
// The demo target: a small service that implements the endpoints of every workload in scenarios/
// (catalog API, auth + CRUD, JSON-RPC agent, WebSocket, user-flow pages and polling), so that
// `k6-gate demo`, `k6-gate demo-target`, the tests and the benchmarks run end to end without a real
// system under test. Latency and errors are knobs, so a benchmark can make the target "regress" on
// purpose. It is a stand-in, not product code: it lives in demo/, outside src/, and only the demo
// commands (src/commands/demo.ts) may import it (eslint.config.js; docs/architecture.md, "Layers").
// This module is the server around a route (latency, injected errors, knobs, health, WebSocket);
// the knobs are target-knobs.ts, the routes target-routes.ts.








/** Starts the demo target; resolves once it listens. */
async function startDemoTarget(options = {}) {
    const { port = 0, host = '127.0.0.1', seed = 1, endpointFault, ...knobChanges } = options;
    const fault = endpointFault ? checkEndpointFault(endpointFault) : undefined;
    let knobs = mergeKnobs(DEFAULT_DEMO_KNOBS, knobChanges);
    const random = createRandom(seed);
    const store = new DemoStore();
    // Timers of delayed answers, so close() can finish them instead of leaving promises hanging.
    const pending = new Map();
    const route = createRouter(store, random, () => knobs);
    /** The latency one request waits before it is answered. */
    function nextDelayMs() {
        const base = (knobs.latencyMs + random.next() * knobs.jitterMs) * (1 + knobs.slowdown);
        if (knobs.spikeRequests <= 0)
            return base;
        knobs = { ...knobs, spikeRequests: knobs.spikeRequests - 1 };
        return base * (1 + knobs.spikeSlowdown);
    }
    function wait(ms) {
        if (ms <= 0)
            return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                pending.delete(timer);
                resolve();
            }, ms);
            pending.set(timer, resolve);
        });
    }
    const server = external_node_http_default().createServer((req, res) => {
        void handle(req, res).catch((error) => {
            if (!res.headersSent)
                send(res, { status: 500, body: { error: error.message } });
            else
                res.destroy();
        });
    });
    function send(res, reply) {
        const isText = typeof reply.body === 'string';
        const payload = reply.body === undefined ? '' : isText ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
            ...(payload ? { 'content-type': reply.contentType ?? 'application/json' } : {}),
            'content-length': Buffer.byteLength(payload),
            ...reply.headers,
        });
        res.end(payload);
    }
    async function handle(req, res) {
        const hostHeader = req.headers.host ?? `${host}:${actualPort}`;
        const url = new URL(req.url ?? '/', `http://${hostHeader}`);
        if (url.pathname === '/health') {
            send(res, json(200, { status: 'ok' }));
            return;
        }
        if (url.pathname === '/__knobs') {
            if (req.method === 'GET')
                return send(res, json(200, knobs));
            if (req.method !== 'POST')
                return send(res, json(405, { error: 'use GET or POST on /__knobs' }));
            try {
                knobs = mergeKnobs(knobs, objectBody(JSON.parse((await readBody(req)) || '{}')));
            }
            catch (error) {
                return send(res, json(400, { error: error.message }));
            }
            return send(res, json(200, knobs));
        }
        // Draw the error before waiting so that the sequence does not depend on timer order.
        const injectError = knobs.errorRate > 0 && random.next() < knobs.errorRate;
        const faulty = fault !== undefined && url.pathname.startsWith(fault.path);
        const faultError = faulty && fault.errorRate > 0 && random.next() < fault.errorRate;
        await wait(nextDelayMs() * (faulty ? 1 + fault.slowdown : 1));
        if (faultError) {
            req.resume();
            return send(res, json(fault.status ?? 503, { error: `injected failure of ${fault.path} (demo slow-endpoint knob)` }));
        }
        if (injectError) {
            // Drain the request so the connection stays usable for keep-alive.
            req.resume();
            return send(res, json(500, { error: 'injected failure (demo errorRate knob)' }));
        }
        let bodyCache;
        const ctx = {
            req,
            url,
            origin: `http://${hostHeader}`,
            body() {
                bodyCache ??= readBody(req).then((text) => {
                    try {
                        return text === '' ? undefined : JSON.parse(text);
                    }
                    catch {
                        throw new HttpError(400, `request body is not JSON: ${JSON.stringify(text.slice(0, 40))}`);
                    }
                });
                return bodyCache;
            },
            bearer() {
                const header = req.headers.authorization ?? '';
                const m = /^Bearer\s+(\S+)$/i.exec(header);
                return m ? m[1] : undefined;
            },
        };
        let reply;
        try {
            reply = await route(ctx);
        }
        catch (error) {
            if (!(error instanceof HttpError))
                throw error;
            reply = json(error.status, { error: error.message });
        }
        req.resume();
        send(res, reply);
    }
    const ws = attachWebSocket(server, {
        path: '/ws',
        delayMs: nextDelayMs,
        wait,
        injectError: () => knobs.errorRate > 0 && random.next() < knobs.errorRate,
    });
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new errors/* ExpectedError */.Dh(`port ${port} is not a TCP port; expected a whole number from 0 to 65535 (0 picks a free one)`);
    }
    await new Promise((resolve, reject) => {
        server.once('error', (error) => reject(error.code === 'EADDRINUSE' || error.code === 'EACCES'
            ? new errors/* ExpectedError */.Dh(`port ${port} on ${host} ${error.code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user'} (${error.code}); expected a free port: pass --port with another number (0 picks one)`, { cause: error })
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
                ? new errors/* ExpectedError */.Dh(`host ${host} is not an address of this machine (${error.code}); expected one of its own addresses, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`, { cause: error })
                : error));
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const actualPort = server.address().port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const target = {
        url: `http://${urlHost}:${actualPort}`,
        port: actualPort,
        get knobs() {
            return { ...knobs };
        },
        setKnobs(change) {
            knobs = mergeKnobs(knobs, change);
        },
        async close() {
            for (const [timer, resolve] of pending) {
                clearTimeout(timer);
                resolve();
            }
            pending.clear();
            await ws.close();
            await new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
        },
    };
    return target;
}

// EXTERNAL MODULE: ./src/verdict/duet/run.ts
var run = __webpack_require__(2813);
;// CONCATENATED MODULE: ./src/commands/demo.ts
// `k6-gate demo`: the whole gate in one command on a laptop. Starts the bundled demo target,
// runs the smoke profile of the http-endpoints scenario against it with a real k6, compares with the
// committed demo baseline, prints the regression table. `--slowdown 50%` makes the target slower so
// a newcomer sees a regression fail the gate. `--ab` starts a second demo target as the base version
// (A, never slowed down) and gates the candidate (B) on an A/B duet instead of the baseline file: both
// measured at the same time, decided block by block (src/verdict/duet/), so `--ab --slowdown 5%` is
// a change the duet is meant to see. The demo target itself is demo/target.ts (not product code).










/** The committed baseline the demo compares with (next to the bundled scenarios). */
function demoBaselinePath() {
    return external_node_path_default().join((0,scenarios/* bundledScenariosDir */.xe)(), 'demo', 'baseline.json');
}
/**
 * The demo's rules: the default watched metrics without p(99), with a 20% tolerance, because a
 * laptop or a shared CI runner is noisier than a dedicated load generator; a 50% slowdown still
 * stands far outside it. p(99) of a 10 s run rests on its top ~4 requests: in the noise lab it was
 * the metric behind nearly every false alarm (docs/verdicts.md).
 */
function demoRulesPath() {
    return external_node_path_default().join((0,scenarios/* bundledScenariosDir */.xe)(), 'demo', 'k6-gate.config.json');
}
/** The size of the demo run: long enough for stable percentiles, short enough to wait for. */
const DEMO_RUN_ENV = { VUS: '5', DURATION: '10s', THINK_TIME: '0.1' };
/**
 * The demo's A/B mode stands in for a service whose own time is most of what a request takes, as on a
 * real deployment: on a busy machine (a CI runner with a neighbour) the load generator's own delays
 * add tens of milliseconds to every request on both sides, so a 5 % slowdown of a 20 ms answer would
 * be a 1 % change of what k6 measures, below any practical size; of a 100 ms answer it stays a few
 * per cent. 20 VUs give each side ~90 requests a second, enough for a per-second median, and the
 * median is watched next to p(95): the tail of a one-second window of a busy machine moves with
 * whatever else ran in it (docs/verdicts.md, "Duet verdicts"). --latency, --jitter and --vus still
 * override these.
 */
const DEMO_AB = {
    knobs: { latencyMs: 100, jitterMs: 20 },
    vus: '20',
    watch: ['http_req_duration:med', 'http_req_duration:p(95)', 'http_req_failed:rate'],
};
/**
 * The script's DURATION in A/B mode: the duet stops each k6 when its half of a block is over, so the
 * script itself must outlast a half (a k6 that ends on its own first is an error); a whole block does.
 */
const AB_SCRIPT_DURATION = `${run/* DUET_BLOCK_MS */.Mk / 1000}s`;
/**
 * A slowdown (extra latency of the demo target) as a fraction: `5%` → 0.05, `+50%`, `-10%` (faster),
 * or a fraction below 1 (`0.05`). A bare number of 1 or more is refused: `5` could mean 5 % or +500 %.
 */
function parseSlowdown(name, text) {
    const value = (0,src_config/* optional */.lq)(text);
    if (value === undefined)
        return undefined;
    const expected = 'expected a percentage such as 5% or 50% (or a fraction below 1 such as 0.05)';
    const match = /^([+-]?)(\d+(?:\.\d+)?)(%?)$/.exec(value);
    if (!match)
        throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify(value)} is not a percentage; ${expected}`);
    const [, sign, digits, percent] = match;
    const magnitude = Number(digits);
    if (!percent && magnitude >= 1) {
        throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify(value)} is ambiguous (${sign}${digits}% or ${sign}${magnitude * 100}%?); ${expected}`);
    }
    const fraction = (sign === '-' ? -1 : 1) * (percent ? magnitude / 100 : magnitude);
    if (fraction <= -1) {
        throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify(value)} would leave the target no latency at all; expected more than -100% (a negative slowdown makes it faster)`);
    }
    return fraction;
}
function parseNumber(name, text) {
    const value = (0,src_config/* optional */.lq)(text);
    if (value === undefined)
        return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
        throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify(value)} is not a number ≥ 0`);
    return n;
}
/** The demo's own flags (the knobs of its target); the inputs it takes come from the input specification. */
const DEMO_FLAGS = [
    { flag: 'slowdown', arg: 'P', help: 'make the target slower, e.g. 50% (the gate then fails with exit 1)' },
    {
        flag: 'ab',
        help: `A/B mode: start a second demo target as the base version (A, never slowed down)\nand gate the candidate (B, --slowdown) on a duet instead of the baseline file: both\nmeasured at the same time, decided after each ${run/* DUET_BLOCK_MS */.Mk / 1000} s block, at most ${run/* DUET_MAX_DURATION_MS */.gl / 1000} s`,
    },
    {
        flag: 'latency',
        arg: 'MS',
        help: `base latency of the target (default ${DEFAULT_DEMO_KNOBS.latencyMs}; with --ab ${DEMO_AB.knobs.latencyMs})`,
    },
    { flag: 'jitter', arg: 'MS', help: `random extra latency (default ${DEFAULT_DEMO_KNOBS.jitterMs}; with --ab ${DEMO_AB.knobs.jitterMs})` },
    { flag: 'error-rate', arg: 'R', help: 'share of requests answered 500, 0..1 (default 0)' },
    { flag: 'slow-endpoint', arg: 'PATH', help: 'make one endpoint slow and failing, e.g. /api/orders (per-endpoint table demo)' },
    { flag: 'slow-endpoint-slowdown', arg: 'P', help: 'its extra latency (default 300%)' },
    { flag: 'slow-endpoint-error-rate', arg: 'R', help: 'its share of 503 answers, 0..1 (default 0.2)' },
    { flag: 'duration', arg: 'D', help: `length of the run (default ${DEMO_RUN_ENV.DURATION}; not with --ab: the duet decides how long)` },
    { flag: 'vus', arg: 'N', help: `virtual users (default ${DEMO_RUN_ENV.VUS}; with --ab ${DEMO_AB.vus} per side)` },
];
const DEMO_OPTIONS = (0,input_spec/* parseArgsOptions */.dm)('demo', Object.fromEntries(DEMO_FLAGS.map(({ flag, arg }) => [flag, { type: arg ? 'string' : 'boolean' }])));
function demoHelp() {
    const own = DEMO_FLAGS.map(({ flag, arg, help }) => {
        const [first, ...rest] = help.split('\n');
        const usage = `--${flag}${arg ? ` ${arg}` : ''}`;
        const head = usage.length < 26 ? `  ${usage.padEnd(26)}${first}` : `  ${usage}\n  ${' '.repeat(26)}${first}`;
        return [head, ...rest.map((line) => `  ${' '.repeat(26)}${line}`)].join('\n');
    });
    return `k6-gate demo [options]
Starts the bundled demo target on 127.0.0.1, runs the http-endpoints scenario (smoke profile) with a
real k6 against it, compares with the committed demo baseline and prints the regression table.

${own.join('\n')}
${(0,input_spec/* renderFlagHelp */.i6)('demo')}`;
}
async function runDemo(args, io, log) {
    const parsed = (0,src_config/* parseCommandArgs */.Qx)(DEMO_OPTIONS, (0,input_spec/* normaliseArgv */.N9)('demo', args), 'demo', false);
    const values = parsed.values;
    const text = (name) => values[name];
    if (values.help) {
        io.stdout(demoHelp());
        return 0;
    }
    const slowdown = parseSlowdown('slowdown', text('slowdown')) ?? 0;
    if (values.ab && (0,src_config/* optional */.lq)(text('duration')) !== undefined) {
        throw new src_config/* ConfigError */.xL(`--duration does not apply to demo --ab: the duet runs blocks of ${run/* DUET_BLOCK_MS */.Mk / 1000} s until it decides (at most ${run/* DUET_MAX_DURATION_MS */.gl / 1000} s of k6 per side); leave --duration out`);
    }
    const knobs = {
        slowdown,
        latencyMs: parseNumber('latency', text('latency')) ?? (values.ab ? DEMO_AB.knobs : DEFAULT_DEMO_KNOBS).latencyMs,
        jitterMs: parseNumber('jitter', text('jitter')) ?? (values.ab ? DEMO_AB.knobs : DEFAULT_DEMO_KNOBS).jitterMs,
        errorRate: parseNumber('error-rate', text('error-rate')) ?? DEFAULT_DEMO_KNOBS.errorRate,
    };
    const workspace = external_node_path_default().resolve(io.cwd);
    const slowPath = (0,src_config/* optional */.lq)(text('slow-endpoint'));
    const endpointFault = slowPath
        ? checkEndpointFault({
            path: slowPath,
            slowdown: parseSlowdown('slow-endpoint-slowdown', text('slow-endpoint-slowdown')) ?? 3,
            errorRate: parseNumber('slow-endpoint-error-rate', text('slow-endpoint-error-rate')) ?? 0.2,
        })
        : undefined;
    const target = await startDemoTarget({ ...knobs, endpointFault, host: '127.0.0.1', port: 0 });
    const base = values.ab ? await startDemoTarget({ ...knobs, slowdown: 0, host: '127.0.0.1', port: 0, seed: 2 }) : undefined;
    if (base)
        log.info(`k6-gate demo: A/B mode, base version (A) at ${base.url}, candidate (B) below`);
    log.info(`k6-gate demo: target ${target.url} (latency ${knobs.latencyMs} ms + up to ${knobs.jitterMs} ms jitter${slowdown ? `, slowed down by ${Math.round(slowdown * 100)}%` : ''}${knobs.errorRate ? `, ${knobs.errorRate * 100}% errors` : ''}${endpointFault ? `; ${endpointFault.path} slowed by ${Math.round(endpointFault.slowdown * 100)}% with ${endpointFault.errorRate * 100}% 503s` : ''})`);
    try {
        // The demo's run, said as the inputs a user would give: it goes through the one input path.
        const env = {
            ...DEMO_RUN_ENV,
            VUS: text('vus') ?? (base ? DEMO_AB.vus : DEMO_RUN_ENV.VUS),
            DURATION: base ? AB_SCRIPT_DURATION : (text('duration') ?? DEMO_RUN_ENV.DURATION),
        };
        const inputs = {
            // What the demo decides; then what its user gave (results-dir, baseline, fail-on, update-baseline, k6-*, …).
            scenarios: 'http-endpoints',
            profile: 'smoke',
            target: target.url,
            environment: 'demo',
            'health-url': `${target.url}/health`,
            'preflight-timeout': '10s',
            'update-baseline': 'false',
            env: Object.entries(env)
                .map(([key, value]) => (0,src_config/* quoteArg */.X1)(`${key}=${value}`))
                .join(' '),
            'baseline-target': base?.url,
            watch: base ? DEMO_AB.watch.join('\n') : undefined,
            ...(0,input_spec/* inputsFromFlags */.h$)('demo', values, []),
        };
        const config = await (0,src_inputs/* configFromInputs */.i7)((name) => inputs[name], {
            workspace,
            env: io.env,
            resultsDirAnywhere: true,
            defaultFiles: { baseline: demoBaselinePath(), config: demoRulesPath() },
        });
        const result = await (0,gate.runGate)(config, log);
        io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : (0,markdown.renderMarkdownReport)(result));
        const status = (0,gate.exitStatusFor)(result);
        sayOutcome(result, status, base !== undefined, log);
        return status;
    }
    finally {
        await target.close();
        await base?.close();
    }
}
/** The demo's last line: what the gate said, and what to try next. */
function sayOutcome(result, status, ab, log) {
    if (status === 1) {
        const names = result.scenarios.flatMap((s) => s.metrics.filter(compare/* isRegression */.kj).map((m) => `${m.metric} ${m.stat}`));
        const why = [
            ...(names.length ? [`regressed: ${names.join(', ')}`] : []),
            ...(result.thresholdsFailed ? [`${result.thresholdsFailed} k6 threshold(s) of the script crossed`] : []),
        ];
        log.info(`k6-gate demo: the gate FAILED${why.length ? ` — ${why.join('; ')}` : ''} (exit 1)`);
    }
    else if (status === 0 && (result.outcome === 'inconclusive' || result.scenarios.some((s) => s.duet?.outcome === 'inconclusive'))) {
        log.info('k6-gate demo: inconclusive (exit 0): within its time the duet could neither tell A and B apart nor show them equivalent; the MDE column says how small a change it could see on this machine now');
    }
    else if (status === 0) {
        const next = ab ? 'k6-gate demo --ab --slowdown 5%' : 'k6-gate demo --slowdown 50%';
        log.info(`k6-gate demo: the gate passed (exit 0). Try \`${next}\` to see it catch a regression.`);
    }
}
/** `k6-gate demo-target`: the demo target in the foreground, for workflows and manual tries. */
async function startDemoTargetFromFlags(args, io, log) {
    const { values } = (0,src_config/* parseCommandArgs */.Qx)({
        port: { type: 'string' },
        host: { type: 'string' },
        slowdown: { type: 'string' },
        latency: { type: 'string' },
        jitter: { type: 'string' },
        'error-rate': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
    }, args, 'demo-target', false);
    if (values.help) {
        io.stdout('k6-gate demo-target [--port 8080] [--host 127.0.0.1] [--latency MS] [--jitter MS] [--error-rate R] [--slowdown 50%]\n');
        return 0;
    }
    const port = parseNumber('port', values.port) ?? 8080;
    const target = await startDemoTarget({
        port,
        host: values.host ?? '127.0.0.1',
        slowdown: parseSlowdown('slowdown', values.slowdown),
        latencyMs: parseNumber('latency', values.latency),
        jitterMs: parseNumber('jitter', values.jitter),
        errorRate: parseNumber('error-rate', values['error-rate']),
    });
    log.info(`k6-gate demo target listening on ${target.url} (health: ${target.url}/health); Ctrl-C stops it`);
    io.stdout(`${target.url}\n`);
    await new Promise((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
    });
    await target.close();
    return 0;
}


/***/ })

};
