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
    const scenario = input.scenario ?? input.scriptFile.replace(/\.(m?js|ts|cjs)$/, '');
    const args = [
        `--out=json=${RESULTS_MOUNT}/k6-${scenario}.shard-k8s.json.gz`,
        `--summary-export=${RESULTS_MOUNT}/summary-${scenario}.shard-k8s.json`,
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
        env.push({ name, value });
    }
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
                securityContext: { fsGroup: K6_IMAGE_GID },
                volumes: [{ name: 'k6-gate-results', persistentVolumeClaim: { claimName: claim } }],
                volumeMounts: [{ name: 'k6-gate-results', mountPath: RESULTS_MOUNT, subPathExpr: '$(POD_NAME)' }],
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
    if (input.createClaim ?? input.resultsClaim === undefined) {
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

;// CONCATENATED MODULE: ./src/commands/operator-manifest.ts
// `k6-gate operator-manifest`: writes the Kubernetes manifests of a sharded run with k6-operator.





const OPERATOR_MANIFEST_HELP = `k6-gate operator-manifest <scenario|script|archive.tar> --name NAME --parallelism N [options]

Writes a ConfigMap with the script, a PersistentVolumeClaim for the results and a k6-operator
TestRun (k6.io/v1alpha1) whose N runners each write raw samples to their own folder of the claim.
Then: kubectl apply -f …; wait for the TestRun stage "finished"; kubectl cp the claim's contents
(via --collector's pod); k6-gate merge <scenario> --from DIR. See docs/scale-out.md.

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
  --collector              also write a collector pod that mounts the claim for kubectl cp
  --output FILE            write to FILE instead of stdout
`;
async function commandOperatorManifest(args, io, log) {
    const parsed = (0,config/* parseCommandArgs */.Qx)({
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
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
    }, args, 'operator-manifest');
    const { values, positionals } = parsed;
    if (values.help) {
        io.stdout(OPERATOR_MANIFEST_HELP);
        return 0;
    }
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
    const ref = positionals[0];
    const isArchive = ref.endsWith('.tar');
    const script = isArchive ? external_node_path_default().resolve(io.cwd, ref) : (await (0,scenarios/* resolveScenario */.d8)(ref, io.cwd)).script;
    let content;
    try {
        content = isArchive ? new Uint8Array(await (0,promises_.readFile)(script)) : await (0,promises_.readFile)(script, 'utf8');
    }
    catch (error) {
        throw new config/* ConfigError */.xL(`${isArchive ? 'archive' : 'script'} ${JSON.stringify(ref)} cannot be read (${codeOf(error)}); expected ${isArchive ? 'a k6 archive (k6 archive script.js)' : 'a k6 script'}`, { cause: error });
    }
    const scriptFile = external_node_path_default().basename(script);
    const input = {
        name: values.name,
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
    };
    let text = buildTestRunManifest(input);
    if (values.collector)
        text += `---\n${buildCollectorPodManifest(input)}`;
    if (values.output) {
        try {
            await (0,promises_.writeFile)(external_node_path_default().resolve(io.cwd, values.output), text);
        }
        catch (error) {
            throw new config/* ConfigError */.xL(`--output ${JSON.stringify(values.output)} cannot be written (${codeOf(error)}); expected a file in an existing folder you may write to`, { cause: error });
        }
        log.info(`k6-gate: wrote ${values.output} (TestRun ${values.name}, ${parallelism} runners)`);
    }
    else {
        io.stdout(text);
    }
    return 0;
}
/** `ENOENT`, `EACCES`, …: the part of a file-system error a user can act on. */
function codeOf(error) {
    return error.code ?? error.message;
}


/***/ })

};
