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
import { stringify } from 'yaml';
import { ConfigError, DEFAULT_K6_VERSION } from '../config.js';
import { SUMMARY_TREND_STATS } from '../k6/summary.js';
import { metricsOutputEnv } from '../observability/metrics-output.js';
import { VERSION } from '../version.js';
import { RUNNER_HEADER } from './collector.js';

export interface TestRunManifestInput {
  /** TestRun name; also the prefix of the ConfigMap, claim and runner pods (DNS label). */
  name: string;
  namespace?: string;
  /** File name of the script inside the ConfigMap, e.g. `smoke.js` or `checkout.ts`. */
  scriptFile: string;
  /** Script text, or the bytes of a `k6 archive` .tar (scripts importing local modules need one). */
  scriptContent: string | Uint8Array;
  /** Number of runner pods (shards). */
  parallelism: number;
  /** Scenario name used in the result file names; default: the script file name without extension. */
  scenario?: string;
  /** Extra k6 arguments; k6-operator splits `arguments` on spaces, so none may contain whitespace. */
  args?: string[];
  env?: Record<string, string>;
  /** Runner image; default grafana/k6 at k6-gate's pinned k6 version. */
  image?: string;
  /** The claim the runners write to; created by this manifest unless `createClaim` is false. */
  resultsClaim?: string;
  createClaim?: boolean;
  /** ReadWriteMany lets runners land on any node; ReadWriteOnce keeps them all on one node. */
  accessMode?: 'ReadWriteMany' | 'ReadWriteOnce';
  storageClassName?: string;
  /** Claim size, e.g. `1Gi` (k6 writes about 10–15 bytes of gzip per sample). */
  storage?: string;
  /** `cleanup: post` deletes the runner jobs after the test; the claim keeps the results. */
  cleanup?: boolean;
  /** Trend stats for the runners' own summaries; the merge computes its own. */
  trendStats?: string;
  /** Collector mode: the runners push to a `k6-gate collect` Deployment instead of writing to a claim. */
  collector?: CollectorManifestInput;
}

export interface CollectorManifestInput {
  /** The Secret (key `token`) holding the Bearer token; default `<name>-collector-token`. */
  tokenSecret?: string;
  /** The collector's image; default the k6-gate image of this version. */
  image?: string;
  /** A baseline file to gate against (goes into the ConfigMap next to the script). */
  baselineContent?: string;
  /** The collection's deadline as a k6-gate duration, e.g. `2h`. */
  deadline?: string;
}

/** The port the collector listens on and its Service exposes. */
export const COLLECTOR_PORT = 9091;
/** The k6-gate image of this version (Containerfile; the GitLab templates' default image). */
export const K6_GATE_IMAGE = `ghcr.io/k6-gate/k6-gate:${VERSION}`;
/** Where the collector pod works: the script (and baseline) at scenario/, its results at results/. */
const COLLECTOR_WORKDIR = '/work';
const TOKEN_MOUNT = '/var/run/k6-gate';
const BASELINE_KEY = 'k6-baseline.json';
/** The collector image's user (Containerfile). */
const K6_GATE_UID = 10001;
/** Runner variables the collector mode sets; --env may not set them too. */
const COLLECTOR_RUNNER_VARIABLES = /^K6_PROMETHEUS_RW_|^K6_OUT$/;

/** The folder every runner writes into (its own sub-folder of the claim). */
export const RESULTS_MOUNT = '/results';
/** UID/GID of the user in the grafana/k6 image; fsGroup makes the claim writable for it. */
const K6_IMAGE_GID = 12345;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function requireDnsLabel(what: string, value: string, max: number): void {
  if (!DNS_LABEL.test(value) || value.length > max) {
    throw new ConfigError(
      `${what} ${JSON.stringify(value)} is not a Kubernetes name; expected lower-case letters, digits and "-", at most ${max} characters, e.g. "checkout-load"`,
    );
  }
}

export function resultsClaimName(input: Pick<TestRunManifestInput, 'name' | 'resultsClaim'>): string {
  return input.resultsClaim ?? `${input.name}-results`;
}

/** The `arguments` string of the TestRun, checked so that k6-operator's split on spaces keeps each argument whole. */
export function runnerArguments(
  input: Pick<TestRunManifestInput, 'scenario' | 'scriptFile' | 'args' | 'trendStats' | 'collector'>,
): string {
  const scenario = scenarioOf(input);
  const args = [
    ...(input.collector
      ? // k6-operator adds --tag instance_id=<i> and --tag testrun_name=<name>: what the collector tells runners apart by.
        ['--out=experimental-prometheus-rw']
      : [
          `--out=json=${RESULTS_MOUNT}/k6-${scenario}.shard-k8s.json.gz`,
          `--summary-export=${RESULTS_MOUNT}/summary-${scenario}.shard-k8s.json`,
        ]),
    `--summary-trend-stats=${input.trendStats ?? SUMMARY_TREND_STATS.join(',')}`,
    ...(input.args ?? []),
  ];
  for (const arg of args) {
    if (arg === '' || /[\s"'\\]/.test(arg)) {
      throw new ConfigError(
        `k6 argument ${JSON.stringify(arg)} cannot go into a TestRun: k6-operator splits "arguments" on spaces and runs no shell; expected arguments without whitespace or quotes, e.g. "--tag=team=web"`,
      );
    }
  }
  return args.join(' ');
}

function scenarioOf(input: Pick<TestRunManifestInput, 'scenario' | 'scriptFile'>): string {
  return input.scenario ?? input.scriptFile.replace(/\.(m?js|ts|cjs|tar)$/, '');
}

export function collectorName(name: string): string {
  return `${name}-collector`;
}

export function tokenSecretName(input: Pick<TestRunManifestInput, 'name' | 'collector'>): string {
  return input.collector?.tokenSecret ?? `${input.name}-collector-token`;
}

/** The collector's in-cluster address: its Service, namespace-qualified when the namespace is known. */
export function collectorUrl(input: Pick<TestRunManifestInput, 'name' | 'namespace'>): string {
  const host = input.namespace ? `${collectorName(input.name)}.${input.namespace}.svc` : collectorName(input.name);
  return `http://${host}:${COLLECTOR_PORT}/api/v1/write`;
}

/**
 * What a runner needs to push to the collector: its URL, the token from the Secret, k6's end-of-test
 * stale markers (the collector's "finished"), native histograms for the runner's k6 version, and its
 * pod name in a header (two pods with one instance_id are a duplicated segment).
 */
function collectorRunnerEnv(input: TestRunManifestInput): Record<string, unknown>[] {
  const k6Version = /:(\d+\.\d+\.\d+)$/.exec(input.image ?? '')?.[1] ?? DEFAULT_K6_VERSION;
  const output = metricsOutputEnv([{ kind: 'prometheus', target: collectorUrl(input), nativeHistograms: true }], k6Version);
  return [
    ...Object.entries(output).map(([name, value]) => ({ name, value })),
    { name: 'K6_PROMETHEUS_RW_STALE_MARKERS', value: 'true' },
    { name: 'K6_PROMETHEUS_RW_BEARER_TOKEN', valueFrom: { secretKeyRef: { name: tokenSecretName(input), key: 'token' } } },
    // Kubernetes expands $(POD_NAME), defined before it in this list.
    { name: 'K6_PROMETHEUS_RW_HTTP_HEADERS', value: `${RUNNER_HEADER}:$(POD_NAME)` },
  ];
}

function namespaced(name: string, namespace: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, ...(namespace ? { namespace } : {}), ...extra };
}

const LABELS = { 'app.kubernetes.io/managed-by': 'k6-gate' };

/** The TestRun object alone (what the CRD schema validates). */
export function buildTestRun(input: TestRunManifestInput): Record<string, unknown> {
  requireDnsLabel('TestRun name', input.name, 52);
  if (!Number.isInteger(input.parallelism) || input.parallelism < 1) {
    throw new ConfigError(
      `parallelism ${JSON.stringify(input.parallelism)} is not a positive whole number; expected the number of runner pods, e.g. 4`,
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(input.scriptFile)) {
    throw new ConfigError(
      `script file name ${JSON.stringify(input.scriptFile)} cannot be a ConfigMap key; expected letters, digits, ".", "_", "-", e.g. "checkout.js"`,
    );
  }
  if (typeof input.scriptContent === 'string') {
    const local = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bopen\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/.exec(input.scriptContent);
    if (local) {
      throw new ConfigError(
        `${input.scriptFile} uses the local file ${JSON.stringify(local[1])}, which a one-file ConfigMap cannot carry; expected a self-contained script or a k6 archive: run \`k6 archive ${input.scriptFile} -O ${input.name}.tar\` and pass the .tar`,
      );
    }
  }
  const env: Record<string, unknown>[] = [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
  for (const [name, value] of Object.entries(input.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new ConfigError(`environment variable name ${JSON.stringify(name)} is not valid; expected e.g. BASE_URL`);
    if (name === 'POD_NAME')
      throw new ConfigError('environment variable POD_NAME is reserved: the runners use it to pick their results folder');
    if (input.collector && COLLECTOR_RUNNER_VARIABLES.test(name))
      throw new ConfigError(
        `environment variable ${name} is set by the collector mode (the runners push to the collector with it); expected other variables, e.g. BASE_URL`,
      );
    env.push({ name, value });
  }
  if (input.collector) env.push(...collectorRunnerEnv(input));
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
        image: input.image ?? `grafana/k6:${DEFAULT_K6_VERSION}`,
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
export function buildTestRunManifest(input: TestRunManifestInput): string {
  const documents: Record<string, unknown>[] = [];
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
    const configMap = documents[0] as { data?: Record<string, string> };
    configMap.data = { ...configMap.data, [BASELINE_KEY]: baseline };
  }
  if (input.collector) {
    documents.push(...buildCollectorObjects(input));
  } else if (input.createClaim ?? input.resultsClaim === undefined) {
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
  return documents.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}

/** A pod that mounts the results claim and waits, so `kubectl cp` can fetch the runners' files. */
export function buildCollectorPodManifest(input: { name: string; namespace?: string; resultsClaim?: string; image?: string }): string {
  requireDnsLabel('TestRun name', input.name, 52);
  return stringify(
    {
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
    },
    { lineWidth: 0 },
  );
}

/**
 * The collector's Deployment (one replica of `k6-gate collect`, the script and baseline from the
 * ConfigMap, the token from the Secret as a file) and its Service. After the verdict the collector
 * lingers, so its pod keeps the results for `kubectl cp` instead of restarting into a new collection.
 */
export function buildCollectorObjects(input: TestRunManifestInput): Record<string, unknown>[] {
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
