export const id = 48;
export const ids = [48];
export const modules = {

/***/ 3048:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  COLLECT_HELP: () => (/* binding */ COLLECT_HELP),
  commandCollect: () => (/* binding */ commandCollect)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts
var src_config = __webpack_require__(2973);
// EXTERNAL MODULE: ./src/format.ts
var format = __webpack_require__(6264);
// EXTERNAL MODULE: ./src/input-spec.ts
var input_spec = __webpack_require__(2523);
// EXTERNAL MODULE: ./src/inputs.ts + 4 modules
var src_inputs = __webpack_require__(3445);
// EXTERNAL MODULE: ./src/k6/environment.ts
var environment = __webpack_require__(4976);
// EXTERNAL MODULE: ./src/k6/files.ts
var files = __webpack_require__(7998);
// EXTERNAL MODULE: ./src/k6/inspect.ts
var inspect = __webpack_require__(2061);
// EXTERNAL MODULE: ./src/platform/registry.ts + 4 modules
var registry = __webpack_require__(7404);
// EXTERNAL MODULE: ./src/shard/collector.ts
var shard_collector = __webpack_require__(9655);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/observability/remote-write.ts + 2 modules
var remote_write = __webpack_require__(2462);
;// CONCATENATED MODULE: ./src/shard/collector-server.ts
// The collector's HTTP side: the remote-write endpoint the runners push to, its checks (token,
// size, path) and its answers, and the end of the collection (every runner done, silence, the
// deadline, a stop). What is kept of each push, and per runner, is the fleet's (collector.ts).





/** A refusal's words for the log: never the token, never the body. */
function describeRefusals(r) {
    const parts = [];
    if (r.unauthorized)
        parts.push(`${r.unauthorized} without the right token (401)`);
    if (r.garbage)
        parts.push(`${r.garbage} that were not k6 pushes of this run (400)`);
    if (r.tooLarge)
        parts.push(`${r.tooLarge} too large (413)`);
    return parts.length ? `refused ${parts.join(', ')}${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}` : undefined;
}
/** Compares a presented Authorization header with the expected one in constant time. */
function authorized(header, expected) {
    if (header === undefined)
        return false;
    const given = Buffer.from(header, 'utf8');
    return given.length === expected.length && (0,external_node_crypto_.timingSafeEqual)(given, expected);
}
/** One request: refused (404, 405, 401, 413, 400) or a push taken into the fleet (204). */
function handlePush(req, res, ctx) {
    const { fleet, expected, maxBody, log, finish } = ctx;
    const reply = (status) => {
        // The body of a refused push is not read: the connection closes after the answer.
        res.writeHead(status, status >= 400 ? { Connection: 'close' } : {}).end();
    };
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/api/v1/write') {
        reply(req.method === 'POST' ? 404 : 405);
        return;
    }
    if (!authorized(req.headers.authorization, expected)) {
        fleet.refuse('unauthorized', `a push from ${req.socket.remoteAddress ?? 'an unknown address'} without the right Bearer token`);
        if (fleet.refusals.unauthorized === 1)
            log.warning('k6-gate collect: refused a push without the right token (401); nothing of it is merged');
        reply(401);
        return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
        fleet.refuse('tooLarge', `a push of ${declared} bytes, over the ${maxBody / 2 ** 20} MiB limit`);
        reply(413);
        return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
        size += chunk.length;
        if (size <= maxBody)
            chunks.push(chunk);
        else
            req.destroy();
    });
    req.on('end', () => {
        const receivedAt = Date.now();
        const header = req.headers[shard_collector/* RUNNER_HEADER */.Lj];
        try {
            const decoded = (0,remote_write/* decodeRemoteWriteBody */.YL)(Buffer.concat(chunks));
            const runner = fleet.accept(decoded, receivedAt, size, typeof header === 'string' ? header.slice(0, 253) : undefined);
            if (runner.pushes === 1)
                log.info(`k6-gate collect: first push from ${(0,shard_collector/* describeRunner */.Yg)(runner)}`);
            if (runner.finishedAt === receivedAt)
                log.info(`k6-gate collect: ${(0,shard_collector/* describeRunner */.Yg)(runner)} finished (${runner.series.size} series, ${runner.pushes} pushes)`);
            reply(204);
            const ended = fleet.settled(receivedAt, ctx.deadlineAt);
            if (ended)
                finish(ended);
        }
        catch (error) {
            const reason = `a push that could not be taken: ${error.message}`;
            fleet.refuse('garbage', reason);
            log.warning(`k6-gate collect: ${reason} (answered 400)`);
            reply(400);
        }
    });
}
async function listen(server, host, port) {
    await new Promise((resolve, reject) => {
        server.once('error', (error) => reject(new errors/* ExpectedError */.Dh(`the collector cannot listen on ${host}:${port} (${error.code ?? error.message}); expected a free port on an address of this machine`, { cause: error })));
        server.listen(port, host, () => resolve());
    });
}
/** Starts the receiver on `host:port` (port 0: any free port). */
async function startCollector(options) {
    const { log } = options;
    const startedAt = Date.now();
    const fleet = new shard_collector/* RunnerFleet */.ZM(options, startedAt);
    const expected = Buffer.from(`Bearer ${options.token}`, 'utf8');
    const maxBody = options.maxBodyBytes ?? shard_collector/* DEFAULT_MAX_BODY_BYTES */.y_;
    let finish = () => undefined;
    const done = new Promise((resolve) => {
        finish = (ended) => {
            clearInterval(timer);
            server.close();
            server.closeAllConnections();
            const collection = fleet.conclude(ended, Date.now());
            const refused = describeRefusals(collection.refusals);
            if (refused)
                log.warning(`k6-gate collect: ${refused}`);
            resolve(collection);
            finish = () => undefined;
        };
    });
    const server = external_node_http_default().createServer((req, res) => handlePush(req, res, { fleet, expected, maxBody, log, deadlineAt: options.deadlineAt, finish: (ended) => finish(ended) }));
    // Longer than any push interval (k6's default is 5 s) and Go's idle-connection reuse: a server
    // that closes an idle connection just as k6 reuses it makes k6 drop that push, maybe its last.
    server.keepAliveTimeout = 75_000;
    server.headersTimeout = 80_000;
    await listen(server, options.host, options.port);
    const address = server.address();
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    // Silence and the deadline are noticed without a push.
    const timer = setInterval(() => {
        const ended = fleet.settled(Date.now(), options.deadlineAt);
        if (ended)
            finish(ended);
    }, 250);
    return {
        url: `http://${shownHost}:${address.port}/api/v1/write`,
        fleet,
        done,
        close: () => finish('closed'),
    };
}

// EXTERNAL MODULE: ./src/shard/shard.ts
var shard = __webpack_require__(2332);
// EXTERNAL MODULE: ./src/shard/state.ts + 1 modules
var shard_state = __webpack_require__(2650);
// EXTERNAL MODULE: ./src/commands/run.ts
var run = __webpack_require__(4331);
;// CONCATENATED MODULE: ./src/commands/collect.ts
// `k6-gate collect`: the receiver k6 runners push to (src/shard/collector.ts); once every runner
// finished (or the rest are reported missing), each runner's state is written under
// <results-dir>/collected/ and the gate runs in merge mode on them, reporting like `merge`.















const COLLECT_HELP = `k6-gate collect <scenario> --run-id ID --runners N (--token-env NAME | --token-file FILE) [options]

Receives the remote-write pushes of N k6 processes (k6-operator runners, or any fleet) running one
test with execution segments, keeps each runner's totals apart, and once all N have finished gates
the merged state like \`k6-gate merge\`: the same reports and exit status. Every runner runs k6 with
  --out experimental-prometheus-rw --tag instance_id=<1..N> --tag testrun_name=<ID>
  K6_PROMETHEUS_RW_SERVER_URL=http://<this collector>/api/v1/write
  K6_PROMETHEUS_RW_BEARER_TOKEN=<the token>  K6_PROMETHEUS_RW_STALE_MARKERS=true
  native histograms (k6 2: K6_FEATURES=native-histograms; k6 1: K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true)
(k6-operator adds both tags; \`k6-gate operator-manifest --collector\` writes all of it). See docs/scale-out.md.

Options:
${(0,input_spec/* renderFlagHelp */.i6)('collect')}`;
async function commandCollect(args, io, log) {
    const { values, positionals } = (0,src_config/* parseCommandArgs */.Qx)((0,input_spec/* parseArgsOptions */.dm)('collect'), (0,input_spec/* normaliseArgv */.N9)('collect', args), 'collect');
    if (values.help) {
        io.stdout(COLLECT_HELP);
        return 0;
    }
    const inputs = (0,input_spec/* inputsFromFlags */.h$)('collect', values, positionals);
    if (inputs['collect-run-id'] === undefined) {
        throw new src_config/* ConfigError */.xL('collect needs --run-id ID: the testrun_name tag the runners push with (k6-operator: the TestRun name)');
    }
    if (positionals.length !== 1) {
        throw new src_config/* ConfigError */.xL(`collect gates one scenario (the script the runners run); got ${positionals.length} (${positionals.join(' ') || 'none'})`);
    }
    const platform = (0,registry/* detectPlatform */.l)(io.env);
    const read = await (0,src_inputs/* readInputs */.Ko)((name) => inputs[name], {
        workspace: io.cwd,
        env: io.env,
        ...platform.facts(io.env),
        resultsDirAnywhere: true,
    });
    const { config } = read;
    const settings = config.collect;
    log.addSecret(settings.token);
    const collector = await startCollector({ ...settings, deadlineAt: Date.now() + settings.deadlineMs, log });
    // Remote write carries no thresholds: k6 reads them from the script while the runners run.
    const spec = config.scenarios[0];
    const thresholds = (0,inspect/* inspectThresholds */.bC)({
        k6Path: config.k6.path ?? 'k6',
        script: spec.script,
        env: withoutValue((0,environment/* k6Environment */.H)(io.env, { ...config.env, K6_NO_USAGE_REPORT: 'true' }), settings.token),
        cwd: config.workspace,
    });
    log.info(`k6-gate collect: waiting for ${settings.runners} runner(s) of run ${settings.runId} at ${collector.url} ` +
        `(a runner silent for ${(0,format/* formatDuration */.a3)(settings.runnerTimeoutMs)} is reported; deadline ${(0,format/* formatDuration */.a3)(settings.deadlineMs)})`);
    const stopListening = io.cancellation?.onRequest(() => collector.close());
    const collection = await collector.done.finally(() => stopListening?.());
    log.info(`k6-gate collect: ${describeEnd(collection)}`);
    const dir = config.merge.dir;
    const expressions = await thresholds;
    if (!expressions) {
        log.warning(`k6-gate collect: \`k6 inspect\` could not read the thresholds of ${spec.script} (is k6 on PATH, or --k6-path set?): the merged test is gated without the script's thresholds`);
    }
    await writeRunnerStates(collection, spec.name, dir, expressions ?? {});
    const problems = (0,shard_collector/* collectionProblems */.Fc)(collection);
    if (io.cancellation?.requested)
        problems.push(`the collection was stopped by ${io.cancellation.signal} before every runner finished`);
    const status = await (0,run.gateAndPublish)({ ...read, config: { ...config, merge: { dir, problems } } }, { json: values.json === true }, io, log, platform);
    if (settings.linger && io.cancellation && !io.cancellation.requested) {
        log.info(`k6-gate collect: the verdict is written (exit status ${status}); lingering until stopped, so the results can be copied`);
        await new Promise((resolve) => io.cancellation.onRequest(() => resolve()));
    }
    return status;
}
/** The environment without any variable holding `secret` (a --token-env named K6_… would reach k6). */
function withoutValue(env, secret) {
    return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== secret));
}
function describeEnd(collection) {
    const finished = collection.runners.filter((r) => r.finishedAt !== undefined).length;
    const took = (0,format/* formatDuration */.a3)(collection.endedAt - collection.startedAt);
    const why = {
        finished: 'every runner finished',
        stopped: 'the others stopped pushing',
        deadline: 'the deadline passed',
        closed: 'stopped',
    }[collection.ended];
    const missing = collection.missing.map((m) => (0,shard_collector/* describeRunner */.Yg)(m)).join(', ');
    return `${finished} of ${collection.runners.length} runners finished in ${took} (${why})${missing ? `; missing: ${missing}` : ''}`;
}
/** One state file per finished runner, in a folder that holds this run's states only. */
async function writeRunnerStates(collection, scenario, dir, thresholds) {
    await (0,promises_.mkdir)(dir, { recursive: true });
    for (const name of await (0,promises_.readdir)(dir))
        if (/^state-.+\.json$/.test(name))
            await (0,promises_.rm)(external_node_path_default().join(dir, name), { force: true });
    const name = (0,files/* safeFileName */.T)(scenario);
    for (const state of (0,shard_collector/* runnerStates */.dU)(collection, name, thresholds)) {
        await (0,promises_.writeFile)(external_node_path_default().join(dir, (0,shard/* shardStateFileName */.lK)(name, state.shard)), (0,shard_state/* shardStateText */.Xy)(state));
    }
}


/***/ }),

/***/ 9655:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fc: () => (/* binding */ collectionProblems),
/* harmony export */   Lj: () => (/* binding */ RUNNER_HEADER),
/* harmony export */   Yg: () => (/* binding */ describeRunner),
/* harmony export */   ZM: () => (/* binding */ RunnerFleet),
/* harmony export */   dU: () => (/* binding */ runnerStates),
/* harmony export */   y_: () => (/* binding */ DEFAULT_MAX_BODY_BYTES)
/* harmony export */ });
/* unused harmony exports DEFAULT_MAX_SERIES_PER_RUNNER, MAX_BUCKETS_PER_SERIES, GarbagePushError */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6264);
/* harmony import */ var _shard_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2332);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2650);
// The collector: one long-running receiver that N k6 processes (k6-operator runners, or any fleet)
// push to with k6's own `--out experimental-prometheus-rw`, kept apart per runner, until every
// runner has finished. What it keeps per runner is what the loopback receiver of one run keeps
// (samples/remote-write.ts): the newest cumulative state of each series, so memory grows with the
// number of series, never with the test's length, and is capped per runner.
//
// Who is who: every series a runner pushes carries the tags `instance_id` (1..N) and `testrun_name`
// (the run id). k6-operator adds both to every runner (`--tag instance_id=<i>`, `--tag
// testrun_name=<TestRun name>`) and gives runner i the execution segment (i-1)/N:i/N of the
// sequence 0,1/N,…,1; a fleet of plain k6 processes passes the same tags and segments itself.
//
// When a runner is done: k6 says so. With K6_PROMETHEUS_RW_STALE_MARKERS=true, k6's output makes a
// final push of every series when the test ends and then marks each series stale (Prometheus' stale
// NaN). That marker is the runner's "finished": silence is not, because a runner that crashed, was
// OOM-killed or lost its network is silent too, and gating its partial load as a finished share
// would pass a test for the wrong reason. A runner silent for `runnerTimeoutMs` without the marker
// is reported as stopped, not waited for; the overall deadline bounds the whole collection.
//
// This module is the fleet's bookkeeping (what each runner pushed, when it is done, the shard
// states for the merge); the HTTP endpoint the runners push to is collector-server.ts.
//
// A duplicated segment: two processes with one instance_id. They show as two values of the
// X-K6-Gate-Runner header (the manifests set it to the pod name), as a push after that runner's
// end-of-test marker, or as a cumulative total that goes backwards.




/** The header a runner may send to name its process (k6: K6_PROMETHEUS_RW_HEADERS_X-K6-Gate-Runner). */
const RUNNER_HEADER = 'x-k6-gate-runner';
/** Series one runner may hold; more are dropped and make the collection an error (its totals would be short). */
const DEFAULT_MAX_SERIES_PER_RUNNER = 20_000;
/** Buckets one native histogram may hold: schema 3 spans 1 ns to 11 days in about 900 buckets. */
const MAX_BUCKETS_PER_SERIES = 2_048;
/** Labels one series may carry, and the length of one label value. */
const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 1_024;
/** A push larger than this is refused (k6's pushes of a few thousand series are a few hundred KiB). */
const DEFAULT_MAX_BODY_BYTES = 16 * 2 ** 20;
/** Problems listed per runner at most; the rest are counted. */
const MAX_PROBLEMS = 5;
/** A push that is not a k6 remote-write push of this run (answered 400). */
class GarbagePushError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ExpectedError */ .Dh {
}
/** `instance_id=2 (execution segment 1/4:2/4)`: how messages name a runner. */
function describeRunner(runner) {
    return `instance_id=${runner.instance} (execution segment ${runner.segment})`;
}
const seriesKey = (labels) => Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
/**
 * The runners of one run and what they pushed; pure bookkeeping (the HTTP server below feeds it),
 * so every rule here is tested with plain data.
 */
class RunnerFleet {
    options;
    startedAt;
    runners;
    refusals = { unauthorized: 0, garbage: 0, tooLarge: 0, reasons: [] };
    maxSeries;
    firstPushAt;
    constructor(options, startedAt) {
        this.options = options;
        this.startedAt = startedAt;
        this.maxSeries = options.maxSeriesPerRunner ?? DEFAULT_MAX_SERIES_PER_RUNNER;
        this.runners = Array.from({ length: options.runners }, (_, i) => ({
            instance: i + 1,
            segment: (0,_shard_js__WEBPACK_IMPORTED_MODULE_1__/* .executionSegment */ .Ms)({ index: i + 1, count: options.runners }),
            series: new Map(),
            pushes: 0,
            bytes: 0,
            processes: new Set(),
            droppedSeries: 0,
        }));
    }
    /** The sequence every runner's segment belongs to. */
    get sequence() {
        return (0,_shard_js__WEBPACK_IMPORTED_MODULE_1__/* .segmentSequence */ .HU)(this.options.runners);
    }
    /** Notes a refused push and its cause (the first few causes are kept in words). */
    refuse(kind, reason) {
        this.refusals[kind]++;
        if (this.refusals.reasons.length < MAX_PROBLEMS)
            this.refusals.reasons.push(reason);
    }
    /**
     * Takes one decoded push; throws GarbagePushError (nothing of it kept) when it is not a push of
     * this run's runners. Returns the runner it belonged to.
     */
    accept(decoded, receivedAt, bytes, processName) {
        const runner = this.runnerOf(decoded);
        this.checkShape(decoded, runner);
        if (processName !== undefined) {
            runner.processes.add(processName);
            if (runner.processes.size > 1 && !runner.duplicated)
                runner.duplicated = `pushed by ${runner.processes.size} k6 processes (${[...runner.processes].slice(0, 3).join(', ')})`;
        }
        if (runner.finishedAt !== undefined && !runner.duplicated) {
            runner.duplicated = `pushed again ${(0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatDuration */ .a3)(receivedAt - runner.finishedAt)} after its end-of-test marker`;
        }
        let ended = false;
        for (const s of decoded) {
            const key = seriesKey(s.labels);
            let kept = runner.series.get(key);
            if (!kept) {
                if (runner.series.size >= this.maxSeries) {
                    runner.droppedSeries++;
                    continue;
                }
                kept = { labels: s.labels };
                runner.series.set(key, kept);
            }
            const h = s.histograms.at(-1);
            if (h) {
                if (kept.histogram && h.count < kept.histogram.count && !runner.duplicated)
                    runner.duplicated = `its total of ${s.labels.__name__} went back from ${kept.histogram.count} to ${h.count}`;
                kept.histogram = h;
            }
            for (const sample of s.samples) {
                if (sample.stale) {
                    ended = true;
                    continue;
                }
                if (kept.value !== undefined && s.labels.__name__?.endsWith('_total') && sample.value < kept.value && !runner.duplicated)
                    runner.duplicated = `its total of ${s.labels.__name__} went back from ${kept.value} to ${sample.value}`;
                kept.value = sample.value;
            }
        }
        runner.pushes++;
        runner.bytes += bytes;
        runner.firstPushAt ??= receivedAt;
        runner.lastPushAt = receivedAt;
        this.firstPushAt ??= receivedAt;
        if (ended)
            runner.finishedAt ??= receivedAt;
        return runner;
    }
    /** The one runner a push belongs to, from its series' tags. */
    runnerOf(decoded) {
        if (decoded.length === 0)
            throw new GarbagePushError('the push holds no time series');
        const ids = new Set();
        const runs = new Set();
        for (const s of decoded) {
            ids.add(s.labels.instance_id ?? '');
            runs.add(s.labels.testrun_name ?? '');
        }
        if (runs.size > 1 || ids.size > 1)
            throw new GarbagePushError(`one push mixes series of several runners or runs (instance_id ${[...ids].map((v) => JSON.stringify(v)).join(', ')}); expected one k6 process per push`);
        const [run] = runs;
        if (run !== this.options.runId) {
            throw new GarbagePushError(run === ''
                ? `the series carry no testrun_name tag; expected k6 run with --tag testrun_name=${this.options.runId} (k6-operator adds it)`
                : `the series are of run ${JSON.stringify(run.slice(0, 64))}, not ${JSON.stringify(this.options.runId)}; expected only this run's runners to push here`);
        }
        const [id] = ids;
        const n = this.options.runners;
        if (!/^[1-9]\d{0,5}$/.test(id) || Number(id) > n) {
            throw new GarbagePushError(id === ''
                ? `the series carry no instance_id tag; expected k6 run with --tag instance_id=<1..${n}> (k6-operator adds it)`
                : `instance_id ${JSON.stringify(id.slice(0, 64))} is not one of 1..${n}; expected the runners of a test with parallelism ${n}`);
        }
        return this.runners[Number(id) - 1];
    }
    /** Bounds per series: a histogram with too many buckets or series with too many labels are garbage. */
    checkShape(decoded, runner) {
        for (const s of decoded) {
            const labels = Object.keys(s.labels);
            if (!s.labels.__name__)
                throw new GarbagePushError(`a series of ${describeRunner(runner)} has no __name__ label`);
            if (labels.length > MAX_LABELS || labels.some((k) => s.labels[k].length > MAX_LABEL_VALUE)) {
                throw new GarbagePushError(`series ${s.labels.__name__.slice(0, 64)} of ${describeRunner(runner)} carries more than ${MAX_LABELS} labels or a label longer than ${MAX_LABEL_VALUE} characters`);
            }
            for (const h of s.histograms) {
                if (h.positive.size + h.negative.size > MAX_BUCKETS_PER_SERIES || !Number.isFinite(h.count) || h.count < 0) {
                    throw new GarbagePushError(`series ${s.labels.__name__.slice(0, 64)} of ${describeRunner(runner)} is a histogram with ${h.positive.size + h.negative.size} buckets and count ${h.count}; expected k6's native histograms (at most ${MAX_BUCKETS_PER_SERIES} buckets)`);
                }
            }
        }
    }
    /** Whether the collection is over at `now`, and why. */
    settled(now, deadlineAt) {
        if (this.runners.every((r) => r.finishedAt !== undefined))
            return 'finished';
        if (now >= deadlineAt)
            return 'deadline';
        if (this.firstPushAt === undefined)
            return undefined;
        // Every runner finished or silent too long; one that never pushed counts from the fleet's first push.
        const silent = (r) => now - (r.lastPushAt ?? this.firstPushAt) >= this.options.runnerTimeoutMs;
        if (this.runners.every((r) => r.finishedAt !== undefined || silent(r)))
            return 'stopped';
        return undefined;
    }
    /** The end of the collection: who finished, who is missing or duplicated. */
    conclude(ended, now) {
        const missing = [];
        const duplicated = [];
        const overflowing = [];
        for (const r of this.runners) {
            const { instance, segment } = r;
            if (r.duplicated)
                duplicated.push({ instance, segment, why: r.duplicated });
            if (r.droppedSeries > 0)
                overflowing.push({ instance, segment, dropped: r.droppedSeries });
            if (r.finishedAt !== undefined)
                continue;
            const why = r.lastPushAt === undefined
                ? 'never pushed'
                : `stopped pushing ${(0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatDuration */ .a3)(now - r.lastPushAt)} before the end without k6's end-of-test marker (did it crash, or is K6_PROMETHEUS_RW_STALE_MARKERS not true?)`;
            missing.push({ instance, segment, why });
        }
        return {
            runId: this.options.runId,
            runners: this.runners,
            missing,
            duplicated,
            overflowing,
            refusals: this.refusals,
            ended,
            startedAt: this.startedAt,
            endedAt: now,
        };
    }
}
/** Why a collection cannot be gated, in words naming the runners (empty: it can). */
function collectionProblems(collection) {
    const n = collection.runners.length;
    const problems = [];
    if (collection.missing.length > 0) {
        problems.push(`${collection.missing.length} of ${n} runners did not finish${collection.ended === 'deadline' ? ' by the deadline' : ''}: ` +
            collection.missing.map((m) => `${describeRunner(m)} ${m.why}`).join('; ') +
            '; the merged numbers would miss their share of the load');
    }
    for (const d of collection.duplicated) {
        problems.push(`${describeRunner(d)} is duplicated: it ${d.why}; expected one k6 process per instance_id and segment`);
    }
    for (const o of collection.overflowing) {
        problems.push(`${describeRunner(o)} pushed more series than the collector keeps; ${o.dropped} were dropped, so its totals would be short (name requests with a \`name\` tag to keep the tag sets few)`);
    }
    return problems;
}
/** How long before its first push a runner's test started: k6 pushes once a push interval. */
const PUSH_INTERVAL_MS = 1_000;
/**
 * The state of every runner that finished, in the shard-state format (src/shard/state.ts), as
 * shard i of N with its execution segment: what the gate's merge mode adds up and judges.
 */
function runnerStates(collection, scenario, thresholds = {}) {
    const count = collection.runners.length;
    return collection.runners
        .filter((r) => r.finishedAt !== undefined && r.firstPushAt !== undefined)
        .map((r) => ({
        ...(0,_state_js__WEBPACK_IMPORTED_MODULE_2__/* .shardStateOf */ .F8)({
            // The runner's own tags name the state (shard, instance), not its series: without them the
            // runners' series of one tag set add up in the merge.
            series: [...r.series.values()].map(({ labels: { instance_id: _i, testrun_name: _t, ...labels }, ...rest }) => ({
                ...rest,
                labels,
            })),
            scenario,
            shard: { index: r.instance, count },
            segment: r.segment,
            sequence: (0,_shard_js__WEBPACK_IMPORTED_MODULE_1__/* .segmentSequence */ .HU)(count),
            instance: `instance_id=${r.instance}`,
            span: {
                startMs: r.firstPushAt - PUSH_INTERVAL_MS,
                endMs: r.finishedAt,
                durationMs: r.finishedAt - (r.firstPushAt - PUSH_INTERVAL_MS),
            },
        }),
        // The script's, from `k6 inspect`: evaluated on the merged state as k6 would on one run.
        thresholds,
    }));
}


/***/ })

};
