import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import {
  buildCollectorPodManifest,
  buildTestRunManifest,
  COLLECTOR_PORT,
  K6_GATE_IMAGE,
  type TestRunManifestInput,
} from '../../src/shard/operator.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** ajv with the OpenAPI formats and Kubernetes vendor extensions that the schemas below use. */
function kubernetesAjv() {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  for (const keyword of [
    'x-kubernetes-group-version-kind',
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-list-type',
    'x-kubernetes-map-type',
    'x-kubernetes-patch-merge-key',
    'x-kubernetes-patch-strategy',
    'x-kubernetes-unions',
  ]) {
    ajv.addKeyword(keyword);
  }
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv;
}

let compiledTestRun: ValidateFunction | undefined;

/**
 * k6-operator's own TestRun CRD (test/data/k6-operator/README.md), compiled with ajv. The API server
 * refuses a field the schema does not know (strict field validation, kubectl's default), and a
 * structural CRD schema knows only its `properties`: every object schema that lists properties and
 * does not allow others becomes `additionalProperties: false` here, so a misspelt field fails.
 */
async function testRunValidator() {
  if (compiledTestRun) return compiledTestRun;
  const crd = parseAllDocuments(await readFile(path.join(here, '../data/k6-operator/k6.io_testruns.yaml'), 'utf8'))[0].toJS();
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
  const strictFields = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strictFields);
    if (node === null || typeof node !== 'object') return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strictFields(v)]));
    const known = 'properties' in out && !('additionalProperties' in out) && out['x-kubernetes-preserve-unknown-fields'] !== true;
    return known ? { ...out, additionalProperties: false } : out;
  };
  compiledTestRun = kubernetesAjv().compile(strictFields(version.schema.openAPIV3Schema) as object);
  return compiledTestRun;
}

const models = { Deployment, Service, ConfigMap, Pod, PersistentVolumeClaim };
const definitionOf = {
  Deployment: 'io.k8s.api.apps.v1.Deployment',
  Service: 'io.k8s.api.core.v1.Service',
  ConfigMap: 'io.k8s.api.core.v1.ConfigMap',
  Pod: 'io.k8s.api.core.v1.Pod',
  PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
};
let strictDefinitions: Promise<Record<keyof typeof models, ValidateFunction>> | undefined;

/** The strict Kubernetes 1.36 definitions (test/data/kubernetes/README.md): unknown fields are refused. */
function strictValidators() {
  strictDefinitions ??= readFile(path.join(here, '../data/kubernetes/definitions-v1.36.0-strict.json'), 'utf8').then((text) => {
    const ajv = kubernetesAjv();
    ajv.addSchema({ $id: 'k8s', ...JSON.parse(text) });
    return Object.fromEntries(
      Object.entries(definitionOf).map(([kind, id]) => [kind, ajv.compile({ $ref: `k8s#/$defs/${id}` })]),
    ) as Record<keyof typeof models, ValidateFunction>;
  });
  return strictDefinitions;
}

/**
 * A built-in object checked as the API server would: its apiVersion and kind, kubernetes-models'
 * validator (generated from the Kubernetes OpenAPI, with its enums), and the strict definitions
 * (no unknown field). Undefined when valid, else what was wrong.
 */
async function kubernetesErrors(kind: keyof typeof models, object: unknown) {
  const model = models[kind];
  if (!model.is(object)) return `not a ${model.apiVersion} ${model.kind}: ${JSON.stringify(object).slice(0, 80)}`;
  const errors: string[] = [];
  try {
    new model(object as never).validate();
  } catch (error) {
    errors.push((error as Error).message);
  }
  const strict = (await strictValidators())[kind];
  if (!strict(object)) errors.push(...(strict.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
  return errors.length > 0 ? errors.join('; ') : undefined;
}

const base: TestRunManifestInput = {
  name: 'checkout-load',
  namespace: 'perf',
  scriptFile: 'checkout.js',
  scriptContent: "import http from 'k6/http';\nexport default function () { http.get(__ENV.BASE_URL); }\n",
  parallelism: 4,
  env: { BASE_URL: 'http://shop.perf.svc:8080', PROFILE: 'load' },
  args: ['--tag=team=web'],
};

function documents(yamlText: string) {
  return parseAllDocuments(yamlText).map((d) => d.toJS());
}

describe('operator manifests', () => {
  it('writes a ConfigMap with the script, a results claim and a TestRun with one results folder per runner', () => {
    const [configMap, claim, testRun] = documents(buildTestRunManifest(base));
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'checkout-load-script', namespace: 'perf' },
      data: { 'checkout.js': base.scriptContent },
    });
    expect(claim).toMatchObject({
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'checkout-load-results' },
      spec: { accessModes: ['ReadWriteMany'] },
    });
    expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
    expect(testRun.spec.parallelism).toBe(4);
    expect(testRun.spec.script).toEqual({ configMap: { name: 'checkout-load-script', file: 'checkout.js' } });
    expect(testRun.spec.arguments.split(' ')).toEqual([
      '--out=json=/results/k6-checkout.shard-k8s.json.gz',
      '--summary-export=/results/summary-checkout.shard-k8s.json',
      '--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99)',
      '--tag=team=web',
    ]);
    expect(testRun.spec.runner.volumeMounts).toEqual([{ name: 'k6-gate-results', mountPath: '/results', subPathExpr: '$(POD_NAME)' }]);
    expect(testRun.spec.runner.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(testRun.spec.runner.env).toContainEqual({ name: 'BASE_URL', value: 'http://shop.perf.svc:8080' });
    expect(testRun.spec.runner.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
  });

  it('generated TestRuns validate against k6-operator’s TestRun CRD, the ConfigMap, claim and collector pod as Kubernetes objects, in every option combination', async () => {
    const validate = await testRunValidator();
    const variants: TestRunManifestInput[] = [
      base,
      { ...base, namespace: undefined, env: undefined, args: undefined, parallelism: 1 },
      {
        ...base,
        cleanup: true,
        resultsClaim: 'shared-results',
        createClaim: false,
        image: 'registry.local/k6:custom',
        accessMode: 'ReadWriteOnce',
      },
      { ...base, scriptFile: 'flow.ts', scenario: 'user-flow', storageClassName: 'nfs', storage: '20Gi' },
    ];
    for (const variant of variants) {
      const docs = documents(buildTestRunManifest(variant));
      const testRun = docs.find((d) => d.kind === 'TestRun');
      expect(validate(testRun), JSON.stringify(validate.errors)).toBe(true);
      expect(await kubernetesErrors('ConfigMap', docs[0])).toBeUndefined();
      const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim');
      if (claim) expect(await kubernetesErrors('PersistentVolumeClaim', claim)).toBeUndefined();
    }
    const collector = documents(buildCollectorPodManifest({ name: 'checkout-load', namespace: 'perf' }))[0];
    expect(await kubernetesErrors('Pod', collector)).toBeUndefined();
  });

  it('the schema check catches what the API server would prune or refuse', async () => {
    const validate = await testRunValidator();
    const testRun = documents(buildTestRunManifest(base)).find((d) => d.kind === 'TestRun');
    expect(validate({ ...testRun, spec: { ...testRun.spec, parallelism: '4' } })).toBe(false);
    expect(validate({ ...testRun, spec: { ...testRun.spec, runner: { ...testRun.spec.runner, volumeMount: [] } } })).toBe(false);
    expect(validate({ ...testRun, spec: { ...testRun.spec, cleanup: 'always' } })).toBe(false);
    const { script: _script, ...noScript } = testRun.spec;
    expect(validate({ ...testRun, spec: noScript })).toBe(false);
    expect(validate({ ...testRun, spec: { ...testRun.spec, runner: { ...testRun.spec.runner, image: 6 } } })).toBe(false);
  });

  it('the schema has the spellings and types of the real CRD, not remembered ones', async () => {
    const validate = await testRunValidator();
    const testRun = documents(buildTestRunManifest(base)).find((d) => d.kind === 'TestRun');
    const withSpec = (spec: Record<string, unknown>) => ({ ...testRun, spec: { ...testRun.spec, ...spec } });
    const withRunner = (runner: Record<string, unknown>) => withSpec({ runner: { ...testRun.spec.runner, ...runner } });
    expect(validate(withSpec({ scuttle: { disableLogging: true } })), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(withSpec({ scuttle: { scuttleLogging: true } }))).toBe(false);
    expect(validate(withSpec({ paused: 'true', quiet: 'false', ports: [{ containerPort: 6565 }] })), JSON.stringify(validate.errors)).toBe(
      true,
    );
    expect(validate(withSpec({ paused: true }))).toBe(false);
    expect(
      validate(withRunner({ disabled: false, resources: { requests: { cpu: '500m', memory: '256Mi' }, claims: [{ name: 'gpu' }] } })),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(validate(withRunner({ resources: { limits: { memory: '1 GB' } } }))).toBe(false);
    expect(
      validate(withRunner({ securityContext: { fsGroup: 12345, supplementalGroupsPolicy: 'Strict' } })),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it('a claim named by the user is not created again', () => {
    const kinds = documents(buildTestRunManifest({ ...base, resultsClaim: 'shared-results' })).map((d) => d.kind);
    expect(kinds).toEqual(['ConfigMap', 'TestRun']);
    const collector = documents(buildCollectorPodManifest({ name: 'checkout-load', resultsClaim: 'shared-results' }))[0];
    expect(collector.spec.volumes[0].persistentVolumeClaim.claimName).toBe('shared-results');
  });

  it.each([
    [{ name: 'Checkout_Load' }, /TestRun name "Checkout_Load" is not a Kubernetes name/],
    [{ parallelism: 0 }, /parallelism 0 is not a positive whole number/],
    [
      { args: ['--tag', 'team=web and ops'] },
      /k6 argument "team=web and ops" cannot go into a TestRun: k6-operator splits "arguments" on spaces/,
    ],
    [{ env: { POD_NAME: 'x' } }, /POD_NAME is reserved/],
    [{ scriptFile: 'my script.js' }, /script file name "my script.js" cannot be a ConfigMap key/],
  ])('refuses bad input %j', (change, message) => {
    expect(() => buildTestRunManifest({ ...base, ...change })).toThrow(message);
  });

  describe('collector mode', () => {
    const collectorInput: TestRunManifestInput = { ...base, collector: { baselineContent: '{"format":1}\n', deadline: '3h' } };

    it('writes the script ConfigMap, the collector Deployment and its Service before the TestRun, and no claim', () => {
      const docs = documents(buildTestRunManifest(collectorInput));
      expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Deployment', 'Service', 'TestRun']);
      expect(docs[0].data).toEqual({ 'checkout.js': base.scriptContent, 'k6-baseline.json': '{"format":1}\n' });
    });

    it('points the TestRun’s arguments and env at the Service, with the token from the Secret and never inline', () => {
      const text = buildTestRunManifest(collectorInput);
      const [, deployment, service, testRun] = documents(text);
      expect(testRun.spec.arguments.split(' ')).toEqual([
        '--out=experimental-prometheus-rw',
        '--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99)',
        '--tag=team=web',
      ]);
      const env = Object.fromEntries(testRun.spec.runner.env.map((e: { name: string }) => [e.name, e]));
      // The Service's name, namespace and port: what the runners' pushes reach.
      expect(service.metadata).toMatchObject({ name: 'checkout-load-collector', namespace: 'perf' });
      expect(service.spec.ports).toEqual([{ name: 'remote-write', port: COLLECTOR_PORT, targetPort: 'remote-write', protocol: 'TCP' }]);
      expect(env.K6_PROMETHEUS_RW_SERVER_URL.value).toBe(
        `http://${service.metadata.name}.${service.metadata.namespace}.svc:${COLLECTOR_PORT}/api/v1/write`,
      );
      expect(env.K6_PROMETHEUS_RW_BEARER_TOKEN).toEqual({
        name: 'K6_PROMETHEUS_RW_BEARER_TOKEN',
        valueFrom: { secretKeyRef: { name: 'checkout-load-collector-token', key: 'token' } },
      });
      expect(env.K6_PROMETHEUS_RW_STALE_MARKERS.value).toBe('true');
      // k6 2 (the default runner image): native histograms are a feature flag.
      expect(env.K6_FEATURES.value).toBe('native-histograms');
      expect(env.K6_PROMETHEUS_RW_HTTP_HEADERS.value).toBe('x-k6-gate-runner:$(POD_NAME)');
      expect(testRun.spec.runner.env.findIndex((e: { name: string }) => e.name === 'POD_NAME')).toBeLessThan(
        testRun.spec.runner.env.findIndex((e: { name: string }) => e.name === 'K6_PROMETHEUS_RW_HTTP_HEADERS'),
      );
      expect(testRun.spec.runner.volumes).toBeUndefined();
      // The Service selects the collector's pods, on the port the collector listens on.
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      const [container] = deployment.spec.template.spec.containers;
      expect(container.ports).toEqual([{ name: 'remote-write', containerPort: COLLECTOR_PORT, protocol: 'TCP' }]);
      expect(container.image).toBe(K6_GATE_IMAGE);
      expect(container.args).toEqual([
        'collect',
        'checkout=scenario/checkout.js',
        '--run-id',
        'checkout-load',
        '--runners',
        '4',
        '--listen',
        `0.0.0.0:${COLLECTOR_PORT}`,
        '--token-file',
        '/var/run/k6-gate/token',
        '--results-dir',
        'results',
        '--deadline',
        '3h',
        '--baseline',
        'scenario/k6-baseline.json',
        '--env',
        'BASE_URL=http://shop.perf.svc:8080',
        '--env',
        'PROFILE=load',
        '--linger',
      ]);
      expect(deployment.spec.template.spec.volumes).toContainEqual({
        name: 'token',
        secret: { secretName: 'checkout-load-collector-token', items: [{ key: 'token', path: 'token' }] },
      });
      expect(text).not.toMatch(/token:\s*[0-9a-f]{16}/);
    });

    it('generated ConfigMap, Deployment and Service are valid Kubernetes objects, the TestRun valid for k6-operator’s CRD', async () => {
      const testRunSchema = await testRunValidator();
      for (const variant of [
        collectorInput,
        { ...base, namespace: undefined, collector: {} },
        { ...base, image: 'grafana/k6:1.8.1', collector: { tokenSecret: 'shared-token', image: 'registry.local/k6-gate:dev' } },
      ]) {
        const docs = documents(buildTestRunManifest(variant));
        const of = (kind: string) => docs.find((d) => d.kind === kind);
        expect(await kubernetesErrors('ConfigMap', of('ConfigMap'))).toBeUndefined();
        expect(await kubernetesErrors('Deployment', of('Deployment'))).toBeUndefined();
        expect(await kubernetesErrors('Service', of('Service'))).toBeUndefined();
        expect(testRunSchema(of('TestRun')), JSON.stringify(testRunSchema.errors)).toBe(true);
      }
    });

    it('the Kubernetes schemas refuse a broken Deployment, Service or ConfigMap, the CRD an unknown TestRun field', async () => {
      const docs = documents(buildTestRunManifest(collectorInput));
      const [configMap, d, sv, testRun] = docs;
      const container = d.spec.template.spec.containers[0];
      const withContainer = (change: Record<string, unknown>) => ({
        ...d,
        spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: [{ ...container, ...change }] } } },
      });
      expect(
        await kubernetesErrors('Deployment', withContainer({ ports: [{ ...container.ports[0], containerPort: String(COLLECTOR_PORT) }] })),
      ).toMatch(/containers\/0\/ports\/0\/containerPort must be integer/);
      const { selector: _selector, ...noSelector } = d.spec;
      expect(await kubernetesErrors('Deployment', { ...d, spec: noSelector })).toMatch(/spec must have required property selector/);
      expect(await kubernetesErrors('Deployment', { ...d, spec: { ...d.spec, replicas: '1' } })).toMatch(/spec\/replicas must be integer/);
      expect(await kubernetesErrors('Deployment', withContainer({ name: undefined }))).toMatch(
        /containers\/0 must have required property name/,
      );
      expect(await kubernetesErrors('Deployment', { ...d, apiVersion: 'extensions/v1beta1' })).toMatch(/not a apps\/v1 Deployment/);
      expect(await kubernetesErrors('Service', { ...sv, spec: { ...sv.spec, type: 'Internal' } })).toMatch(
        /spec\/type must be equal to one of the allowed values/,
      );
      expect(
        await kubernetesErrors('Service', { ...sv, spec: { ...sv.spec, ports: [{ ...sv.spec.ports[0], protocol: 'HTTP' }] } }),
      ).toMatch(/ports\/0\/protocol must be equal to one of the allowed values/);
      expect(await kubernetesErrors('ConfigMap', { ...configMap, data: { ...configMap.data, 'k6-baseline.json': { format: 1 } } })).toMatch(
        /data\/k6-baseline.json must be string/,
      );
      // Unknown fields, which kubectl's strict field validation refuses and a lenient server prunes.
      expect(await kubernetesErrors('Deployment', { ...d, spec: { ...d.spec, selectors: d.spec.selector } })).toMatch(
        /must NOT have additional properties \{"additionalProperty":"selectors"\}/,
      );
      expect(await kubernetesErrors('Deployment', withContainer({ volumeMount: container.volumeMounts }))).toMatch(
        /containers\/0 must NOT have additional properties \{"additionalProperty":"volumeMount"\}/,
      );
      expect(await kubernetesErrors('Service', { ...sv, spec: { ...sv.spec, ports: [{ ...sv.spec.ports[0], targetport: 1 }] } })).toMatch(
        /additionalProperty":"targetport"/,
      );
      const validate = await testRunValidator();
      expect(validate({ ...testRun, spec: { ...testRun.spec, paralelism: 4 } })).toBe(false);
      expect(validate.errors).toContainEqual(
        expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'paralelism' } }),
      );
      const env = [...testRun.spec.runner.env, { name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' }, secretRef: {} } }];
      expect(validate({ ...testRun, spec: { ...testRun.spec, runner: { ...testRun.spec.runner, env } } })).toBe(false);
      expect(validate.errors).toContainEqual(
        expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'secretRef' } }),
      );
    });

    it('a k6 1 runner image gets native histograms by its variable', () => {
      const testRun = documents(buildTestRunManifest({ ...base, image: 'grafana/k6:1.8.1', collector: {} })).find(
        (d) => d.kind === 'TestRun',
      );
      const names = testRun.spec.runner.env.map((e: { name: string; value?: string }) => `${e.name}=${e.value ?? ''}`);
      expect(names).toContain('K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true');
      expect(names.some((n: string) => n.startsWith('K6_FEATURES='))).toBe(false);
    });

    it('refuses --env that would redirect the runners’ pushes', () => {
      expect(() => buildTestRunManifest({ ...base, env: { K6_PROMETHEUS_RW_SERVER_URL: 'http://elsewhere' }, collector: {} })).toThrow(
        /environment variable K6_PROMETHEUS_RW_SERVER_URL is set by the collector mode/,
      );
    });
  });
});
