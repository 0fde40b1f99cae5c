export const id = 655;
export const ids = [655];
export const modules = {

/***/ 2655:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  OPERATOR_MANIFEST_HELP: () => (/* binding */ OPERATOR_MANIFEST_HELP),
  commandOperatorManifest: () => (/* binding */ commandOperatorManifest)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts
var config = __webpack_require__(2973);
// EXTERNAL MODULE: ./src/scenarios.ts
var scenarios = __webpack_require__(4096);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/k6/summary.ts
var summary = __webpack_require__(817);
// EXTERNAL MODULE: ./src/observability/metrics-output.ts
var metrics_output = __webpack_require__(9128);
// EXTERNAL MODULE: ./src/version.ts
var version = __webpack_require__(311);
// EXTERNAL MODULE: ./src/shard/collector.ts
var collector = __webpack_require__(9655);
;// CONCATENATED MODULE: ./src/shard/operator.ts
// Manifests for running a scenario on Kubernetes with k6-operator (TestRun, k6.io/v1alpha1).
//
// k6-operator starts `parallelism` runner pods, gives each its execution segment and aggregates
// nothing. For k6-gate to merge, every runner must leave its raw samples where a collector can
// fetch them after the pods are gone. The choice here: one PersistentVolumeClaim mounted by every
// runner at /results with `subPathExpr: $(POD_NAME)`, so each runner writes to its own folder
// (k6-operator passes the same `arguments` to all runners, and k6 cannot template a file name).
// The files outlive the runner pods (and `cleanup: post`); a collector pod mounting the claim
// serves `kubectl cp`, then `k6-gate merge --from` finds the files in the per-pod folders.
//
// Collector mode (`collector`): no claim at all. The runners push k6's remote-write output to a
// `k6-gate collect` Deployment through its Service, with the Bearer token from a Secret the user
// creates (never in the manifest), and the collector gates the merged test (src/shard/collector.ts).






/** The port the collector listens on and its Service exposes. */
const COLLECTOR_PORT = 9091;
/** The k6-gate image of this version (Containerfile; the GitLab templates' default image). */
const K6_GATE_IMAGE = `ghcr.io/k6-gate/k6-gate:${version/* VERSION */.x}`;
/** Where the collector pod works: the script (and baseline) at scenario/, its results at results/. */
const COLLECTOR_WORKDIR = '/work';
const TOKEN_MOUNT = '/var/run/k6-gate';
const BASELINE_KEY = 'k6-baseline.json';
/** The collector image's user (Containerfile). */
const K6_GATE_UID = 10001;
/** Runner variables the collector mode sets; --env may not set them too. */
const COLLECTOR_RUNNER_VARIABLES = /^K6_PROMETHEUS_RW_|^K6_OUT$/;
/** The folder every runner writes into (its own sub-folder of the claim). */
const RESULTS_MOUNT = '/results';
/** UID/GID of the user in the grafana/k6 image; fsGroup makes the claim writable for it. */
const K6_IMAGE_GID = 12345;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function requireDnsLabel(what, value, max) {
    if (!DNS_LABEL.test(value) || value.length > max) {
        throw new config/* ConfigError */.xL(`${what} ${JSON.stringify(value)} is not a Kubernetes name; expected lower-case letters, digits and "-", at most ${max} characters, e.g. "checkout-load"`);
    }
}
function resultsClaimName(input) {
    return input.resultsClaim ?? `${input.name}-results`;
}
/** The `arguments` string of the TestRun, checked so that k6-operator's split on spaces keeps each argument whole. */
function runnerArguments(input) {
    const scenario = scenarioOf(input);
    const args = [
        ...(input.collector
            ? // k6-operator adds --tag instance_id=<i> and --tag testrun_name=<name>: what the collector tells runners apart by.
                ['--out=experimental-prometheus-rw']
            : [
                `--out=json=${RESULTS_MOUNT}/k6-${scenario}.shard-k8s.json.gz`,
                `--summary-export=${RESULTS_MOUNT}/summary-${scenario}.shard-k8s.json`,
            ]),
        `--summary-trend-stats=${input.trendStats ?? summary/* SUMMARY_TREND_STATS */.$8.join(',')}`,
        ...(input.args ?? []),
    ];
    for (const arg of args) {
        if (arg === '' || /[\s"'\\]/.test(arg)) {
            throw new config/* ConfigError */.xL(`k6 argument ${JSON.stringify(arg)} cannot go into a TestRun: k6-operator splits "arguments" on spaces and runs no shell; expected arguments without whitespace or quotes, e.g. "--tag=team=web"`);
        }
    }
    return args.join(' ');
}
function scenarioOf(input) {
    return input.scenario ?? input.scriptFile.replace(/\.(m?js|ts|cjs|tar)$/, '');
}
function collectorName(name) {
    return `${name}-collector`;
}
function tokenSecretName(input) {
    return input.collector?.tokenSecret ?? `${input.name}-collector-token`;
}
/** The collector's in-cluster address: its Service, namespace-qualified when the namespace is known. */
function collectorUrl(input) {
    const host = input.namespace ? `${collectorName(input.name)}.${input.namespace}.svc` : collectorName(input.name);
    return `http://${host}:${COLLECTOR_PORT}/api/v1/write`;
}
/**
 * What a runner needs to push to the collector: its URL, the token from the Secret, k6's end-of-test
 * stale markers (the collector's "finished"), native histograms for the runner's k6 version, and its
 * pod name in a header (two pods with one instance_id are a duplicated segment).
 */
function collectorRunnerEnv(input) {
    const k6Version = /:(\d+\.\d+\.\d+)$/.exec(input.image ?? '')?.[1] ?? config/* DEFAULT_K6_VERSION */.ti;
    const output = (0,metrics_output/* metricsOutputEnv */.Um)([{ kind: 'prometheus', target: collectorUrl(input), nativeHistograms: true }], k6Version);
    return [
        ...Object.entries(output).map(([name, value]) => ({ name, value })),
        { name: 'K6_PROMETHEUS_RW_STALE_MARKERS', value: 'true' },
        { name: 'K6_PROMETHEUS_RW_BEARER_TOKEN', valueFrom: { secretKeyRef: { name: tokenSecretName(input), key: 'token' } } },
        // Kubernetes expands $(POD_NAME), defined before it in this list.
        { name: 'K6_PROMETHEUS_RW_HTTP_HEADERS', value: `${collector/* RUNNER_HEADER */.Lj}:$(POD_NAME)` },
    ];
}
function namespaced(name, namespace, extra = {}) {
    return { name, ...(namespace ? { namespace } : {}), ...extra };
}
const LABELS = { 'app.kubernetes.io/managed-by': 'k6-gate' };
/** The TestRun object alone (what the CRD schema validates). */
function buildTestRun(input) {
    requireDnsLabel('TestRun name', input.name, 52);
    if (!Number.isInteger(input.parallelism) || input.parallelism < 1) {
        throw new config/* ConfigError */.xL(`parallelism ${JSON.stringify(input.parallelism)} is not a positive whole number; expected the number of runner pods, e.g. 4`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(input.scriptFile)) {
        throw new config/* ConfigError */.xL(`script file name ${JSON.stringify(input.scriptFile)} cannot be a ConfigMap key; expected letters, digits, ".", "_", "-", e.g. "checkout.js"`);
    }
    if (typeof input.scriptContent === 'string') {
        const local = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bopen\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/.exec(input.scriptContent);
        if (local) {
            throw new config/* ConfigError */.xL(`${input.scriptFile} uses the local file ${JSON.stringify(local[1])}, which a one-file ConfigMap cannot carry; expected a self-contained script or a k6 archive: run \`k6 archive ${input.scriptFile} -O ${input.name}.tar\` and pass the .tar`);
        }
    }
    const env = [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    for (const [name, value] of Object.entries(input.env ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
            throw new config/* ConfigError */.xL(`environment variable name ${JSON.stringify(name)} is not valid; expected e.g. BASE_URL`);
        if (name === 'POD_NAME')
            throw new config/* ConfigError */.xL('environment variable POD_NAME is reserved: the runners use it to pick their results folder');
        if (input.collector && COLLECTOR_RUNNER_VARIABLES.test(name))
            throw new config/* ConfigError */.xL(`environment variable ${name} is set by the collector mode (the runners push to the collector with it); expected other variables, e.g. BASE_URL`);
        env.push({ name, value });
    }
    if (input.collector)
        env.push(...collectorRunnerEnv(input));
    const claim = resultsClaimName(input);
    return {
        apiVersion: 'k6.io/v1alpha1',
        kind: 'TestRun',
        metadata: namespaced(input.name, input.namespace, { labels: LABELS }),
        spec: {
            parallelism: input.parallelism,
            script: { configMap: { name: `${input.name}-script`, file: input.scriptFile } },
            arguments: runnerArguments(input),
            ...(input.cleanup ? { cleanup: 'post' } : {}),
            runner: {
                image: input.image ?? `grafana/k6:${config/* DEFAULT_K6_VERSION */.ti}`,
                metadata: { labels: { ...LABELS, 'k6-gate/test-run': input.name } },
                env,
                ...(input.collector
                    ? {}
                    : {
                        securityContext: { fsGroup: K6_IMAGE_GID },
                        volumes: [{ name: 'k6-gate-results', persistentVolumeClaim: { claimName: claim } }],
                        volumeMounts: [{ name: 'k6-gate-results', mountPath: RESULTS_MOUNT, subPathExpr: '$(POD_NAME)' }],
                    }),
            },
        },
    };
}
/** ConfigMap with the script, the results claim (unless an existing one is named) and the TestRun, as one YAML stream. */
function buildTestRunManifest(input) {
    const documents = [];
    const testRun = buildTestRun(input);
    documents.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: namespaced(`${input.name}-script`, input.namespace, { labels: LABELS }),
        ...(typeof input.scriptContent === 'string'
            ? { data: { [input.scriptFile]: input.scriptContent } }
            : { binaryData: { [input.scriptFile]: Buffer.from(input.scriptContent).toString('base64') } }),
    });
    const baseline = input.collector?.baselineContent;
    if (baseline !== undefined) {
        const configMap = documents[0];
        configMap.data = { ...configMap.data, [BASELINE_KEY]: baseline };
    }
    if (input.collector) {
        documents.push(...buildCollectorObjects(input));
    }
    else if (input.createClaim ?? input.resultsClaim === undefined) {
        documents.push({
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: namespaced(resultsClaimName(input), input.namespace, { labels: LABELS }),
            spec: {
                accessModes: [input.accessMode ?? 'ReadWriteMany'],
                ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
                resources: { requests: { storage: input.storage ?? '1Gi' } },
            },
        });
    }
    documents.push(testRun);
    return documents.map((doc) => (0,dist.stringify)(doc, { lineWidth: 0 })).join('---\n');
}
/** A pod that mounts the results claim and waits, so `kubectl cp` can fetch the runners' files. */
function buildCollectorPodManifest(input) {
    requireDnsLabel('TestRun name', input.name, 52);
    return (0,dist.stringify)({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: namespaced(`${input.name}-collector`, input.namespace, { labels: LABELS }),
        spec: {
            restartPolicy: 'Never',
            securityContext: { fsGroup: K6_IMAGE_GID },
            containers: [
                {
                    name: 'collector',
                    image: input.image ?? 'busybox:1.36',
                    command: ['sleep', '3600'],
                    volumeMounts: [{ name: 'k6-gate-results', mountPath: RESULTS_MOUNT, readOnly: true }],
                },
            ],
            volumes: [{ name: 'k6-gate-results', persistentVolumeClaim: { claimName: resultsClaimName(input) } }],
        },
    }, { lineWidth: 0 });
}
/**
 * The collector's Deployment (one replica of `k6-gate collect`, the script and baseline from the
 * ConfigMap, the token from the Secret as a file) and its Service. After the verdict the collector
 * lingers, so its pod keeps the results for `kubectl cp` instead of restarting into a new collection.
 */
function buildCollectorObjects(input) {
    const collector = input.collector ?? {};
    const name = collectorName(input.name);
    const labels = { ...LABELS, 'app.kubernetes.io/name': 'k6-gate-collector', 'k6-gate/test-run': input.name };
    const selector = { 'app.kubernetes.io/name': 'k6-gate-collector', 'k6-gate/test-run': input.name };
    const scenario = scenarioOf(input);
    const args = [
        'collect',
        `${scenario}=scenario/${input.scriptFile}`,
        '--run-id',
        input.name,
        '--runners',
        String(input.parallelism),
        '--listen',
        `0.0.0.0:${COLLECTOR_PORT}`,
        '--token-file',
        `${TOKEN_MOUNT}/token`,
        '--results-dir',
        'results',
        ...(collector.deadline ? ['--deadline', collector.deadline] : []),
        ...(collector.baselineContent !== undefined ? ['--baseline', `scenario/${BASELINE_KEY}`] : []),
        // The runners' variables, so `k6 inspect` reads the script's thresholds as the runners resolve them.
        ...Object.entries(input.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
        '--linger',
    ];
    const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: namespaced(name, input.namespace, { labels }),
        spec: {
            replicas: 1,
            selector: { matchLabels: selector },
            // One collector at a time: a second one would split the runners' pushes.
            strategy: { type: 'Recreate' },
            template: {
                metadata: { labels },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: K6_GATE_UID, runAsGroup: K6_GATE_UID, fsGroup: K6_GATE_UID },
                    containers: [
                        {
                            name: 'collector',
                            image: collector.image ?? K6_GATE_IMAGE,
                            args,
                            workingDir: COLLECTOR_WORKDIR,
                            ports: [{ name: 'remote-write', containerPort: COLLECTOR_PORT, protocol: 'TCP' }],
                            readinessProbe: { tcpSocket: { port: COLLECTOR_PORT }, periodSeconds: 2 },
                            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                            volumeMounts: [
                                { name: 'work', mountPath: COLLECTOR_WORKDIR },
                                { name: 'scenario', mountPath: `${COLLECTOR_WORKDIR}/scenario`, readOnly: true },
                                { name: 'token', mountPath: TOKEN_MOUNT, readOnly: true },
                            ],
                        },
                    ],
                    volumes: [
                        { name: 'work', emptyDir: {} },
                        { name: 'scenario', configMap: { name: `${input.name}-script` } },
                        { name: 'token', secret: { secretName: tokenSecretName(input), items: [{ key: 'token', path: 'token' }] } },
                    ],
                },
            },
        },
    };
    const service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: namespaced(name, input.namespace, { labels }),
        spec: {
            type: 'ClusterIP',
            selector,
            ports: [{ name: 'remote-write', port: COLLECTOR_PORT, targetPort: 'remote-write', protocol: 'TCP' }],
        },
    };
    return [deployment, service];
}

;// CONCATENATED MODULE: ./src/commands/operator-manifest.ts
// `k6-gate operator-manifest`: writes the Kubernetes manifests of a sharded run with k6-operator.





const OPERATOR_MANIFEST_HELP = `k6-gate operator-manifest <scenario|script|archive.tar> --name NAME --parallelism N [options]

Writes a ConfigMap with the script and a k6-operator TestRun (k6.io/v1alpha1) with N runners.
With --collector: a \`k6-gate collect\` Deployment and its Service, which the runners push k6's
remote-write output to (no claim, no kubectl cp); the collector gates the merged test. Create the
token Secret first: kubectl create secret generic NAME-collector-token --from-literal=token=…
Without: a PersistentVolumeClaim where every runner writes raw samples to its own folder; then
kubectl cp the claim's contents (via --results-pod) and k6-gate merge <scenario> --from DIR.
See docs/scale-out.md.

Options:
  --name NAME              TestRun name (lower-case DNS label)
  --parallelism N          runner pods (shards)
  --namespace NS           namespace of all objects
  --scenario NAME          name in result files and the baseline (default: the script's name)
  --env KEY=VALUE          environment for the runners, e.g. BASE_URL (repeatable)
  --k6-args "ARGS"         extra k6 arguments (no whitespace inside one argument)
  --image IMAGE            runner image (default grafana/k6 at k6-gate's k6 version)
  --results-claim NAME     use this existing claim instead of creating NAME-results
  --access-mode MODE       ReadWriteMany (default) | ReadWriteOnce (all runners on one node)
  --storage-class NAME     storage class of the created claim
  --storage SIZE           size of the created claim (default 1Gi)
  --cleanup                cleanup: post (delete runner jobs afterwards; the claim stays)
  --collector              runners push to a k6-gate collect Deployment + Service (no claim)
  --token-secret NAME      (--collector) Secret with key "token" (default NAME-collector-token)
  --collector-image IMAGE  (--collector) default ${K6_GATE_IMAGE}
  --baseline FILE          (--collector) the baseline the collector gates against (into the ConfigMap)
  --deadline D             (--collector) the collection's deadline (default 2h)
  --results-pod            (claim mode) also write a pod that mounts the claim for kubectl cp
  --output FILE            write to FILE instead of stdout
`;
async function commandOperatorManifest(args, io, log) {
    const { values, positionals } = parseOperatorArgs(args);
    if (values.help) {
        io.stdout(OPERATOR_MANIFEST_HELP);
        return 0;
    }
    const { name, parallelism, accessMode } = checkFlags(values, positionals);
    const ref = positionals[0];
    const { script, content } = await readScript(ref, io.cwd);
    checkCollectorFlags(values);
    const baselineContent = await readBaseline(values.baseline, io.cwd);
    const scriptFile = external_node_path_default().basename(script);
    const input = {
        name,
        namespace: values.namespace,
        scriptFile,
        scriptContent: content,
        parallelism,
        scenario: values.scenario ?? scriptFile.replace(/\.(m?js|ts|cjs|tar)$/, ''),
        args: (0,config/* splitArgs */.sG)(values['k6-args']),
        env: Object.assign({}, ...(values.env ?? []).map((pair) => (0,config/* parseEnvPairs */.WS)('--env', (0,config/* quoteArg */.X1)(pair)))),
        image: values.image,
        resultsClaim: values['results-claim'],
        accessMode,
        storageClassName: values['storage-class'],
        storage: values.storage,
        cleanup: values.cleanup,
        collector: values.collector
            ? { tokenSecret: values['token-secret'], image: values['collector-image'], baselineContent, deadline: values.deadline }
            : undefined,
    };
    let text = buildTestRunManifest(input);
    if (values['results-pod'])
        text += `---\n${buildCollectorPodManifest(input)}`;
    if (values.output) {
        await writeOutput(values.output, io.cwd, text);
        log.info(`k6-gate: wrote ${values.output} (TestRun ${name}, ${parallelism} runners${values.collector ? `, collector ${collectorUrl(input)}; create the Secret ${tokenSecretName(input)} (key token) before applying` : ''})`);
    }
    else {
        io.stdout(text);
    }
    return 0;
}
function parseOperatorArgs(args) {
    return (0,config/* parseCommandArgs */.Qx)({
        name: { type: 'string' },
        parallelism: { type: 'string' },
        namespace: { type: 'string' },
        scenario: { type: 'string' },
        env: { type: 'string', multiple: true },
        'k6-args': { type: 'string' },
        image: { type: 'string' },
        'results-claim': { type: 'string' },
        'access-mode': { type: 'string' },
        'storage-class': { type: 'string' },
        storage: { type: 'string' },
        cleanup: { type: 'boolean' },
        collector: { type: 'boolean' },
        'token-secret': { type: 'string' },
        'collector-image': { type: 'string' },
        baseline: { type: 'string' },
        deadline: { type: 'string' },
        'results-pod': { type: 'boolean' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
    }, args, 'operator-manifest');
}
/** The checks that need no file: one positional, the required flags, the flags that go together. */
function checkFlags(values, positionals) {
    if (positionals.length !== 1) {
        throw new config/* ConfigError */.xL(`operator-manifest takes one scenario, script or .tar archive; got ${positionals.length} (${positionals.join(' ') || 'none'})`);
    }
    if (!values.name)
        throw new config/* ConfigError */.xL('operator-manifest needs --name, e.g. --name checkout-load');
    const parallelism = Number(values.parallelism);
    if (!values.parallelism || !Number.isInteger(parallelism) || parallelism < 1) {
        throw new config/* ConfigError */.xL(`--parallelism ${JSON.stringify(values.parallelism ?? '')} is not a positive whole number; expected the number of runner pods, e.g. 4`);
    }
    const accessMode = values['access-mode'];
    if (accessMode !== undefined && accessMode !== 'ReadWriteMany' && accessMode !== 'ReadWriteOnce') {
        throw new config/* ConfigError */.xL(`--access-mode ${JSON.stringify(accessMode)} is not valid; expected ReadWriteMany or ReadWriteOnce`);
    }
    return { name: values.name, parallelism, accessMode };
}
/** The --collector flags only with --collector, and never with the claim's --results-pod. */
function checkCollectorFlags(values) {
    const collectorOnly = ['token-secret', 'collector-image', 'baseline', 'deadline'];
    const stray = collectorOnly.find((flag) => values[flag] !== undefined);
    if (stray && !values.collector)
        throw new config/* ConfigError */.xL(`--${stray} belongs to --collector mode; expected --collector with it`);
    if (values.collector && values['results-pod']) {
        throw new config/* ConfigError */.xL('--results-pod serves the claim of the raw-sample mode; --collector needs no claim (the runners push to the collector)');
    }
    if (values.deadline !== undefined)
        (0,config/* parseTimeLimit */.Er)('deadline', values.deadline);
}
/** The script (a scenario's, a file's) as text, or a k6 archive as bytes. */
async function readScript(ref, cwd) {
    const isArchive = ref.endsWith('.tar');
    const script = isArchive ? external_node_path_default().resolve(cwd, ref) : (await (0,scenarios/* resolveScenario */.d8)(ref, cwd)).script;
    try {
        return { script, content: isArchive ? new Uint8Array(await (0,promises_.readFile)(script)) : await (0,promises_.readFile)(script, 'utf8') };
    }
    catch (error) {
        throw new config/* ConfigError */.xL(`${isArchive ? 'archive' : 'script'} ${JSON.stringify(ref)} cannot be read (${codeOf(error)}); expected ${isArchive ? 'a k6 archive (k6 archive script.js)' : 'a k6 script'}`, { cause: error });
    }
}
async function readBaseline(file, cwd) {
    if (file === undefined)
        return undefined;
    try {
        return await (0,promises_.readFile)(external_node_path_default().resolve(cwd, file), 'utf8');
    }
    catch (error) {
        throw new config/* ConfigError */.xL(`--baseline ${JSON.stringify(file)} cannot be read (${codeOf(error)}); expected the k6-gate baseline file to gate against`, { cause: error });
    }
}
async function writeOutput(file, cwd, text) {
    try {
        await (0,promises_.writeFile)(external_node_path_default().resolve(cwd, file), text);
    }
    catch (error) {
        throw new config/* ConfigError */.xL(`--output ${JSON.stringify(file)} cannot be written (${codeOf(error)}); expected a file in an existing folder you may write to`, { cause: error });
    }
}
/** `ENOENT`, `EACCES`, …: the part of a file-system error a user can act on. */
function codeOf(error) {
    return error.code ?? error.message;
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
