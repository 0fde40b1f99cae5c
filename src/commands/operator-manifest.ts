// `k6-gate operator-manifest`: writes the Kubernetes manifests of a sharded run with k6-operator.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseCommandArgs, parseEnvPairs, parseTimeLimit, quoteArg, splitArgs } from '../config.js';
import type { Logger } from '../log.js';
import { resolveScenario } from '../scenarios.js';
import { buildCollectorPodManifest, buildTestRunManifest, collectorUrl, K6_GATE_IMAGE, tokenSecretName } from '../shard/operator.js';

export const OPERATOR_MANIFEST_HELP = `k6-gate operator-manifest <scenario|script|archive.tar> --name NAME --parallelism N [options]

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

export async function commandOperatorManifest(
  args: string[],
  io: { cwd: string; stdout: (text: string) => void },
  log: Logger,
): Promise<number> {
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
  const scriptFile = path.basename(script);
  const input = {
    name,
    namespace: values.namespace,
    scriptFile,
    scriptContent: content,
    parallelism,
    scenario: values.scenario ?? scriptFile.replace(/\.(m?js|ts|cjs|tar)$/, ''),
    args: splitArgs(values['k6-args']),
    env: Object.assign({}, ...(values.env ?? []).map((pair) => parseEnvPairs('--env', quoteArg(pair)))),
    image: values.image,
    resultsClaim: values['results-claim'],
    accessMode,
    storageClassName: values['storage-class'],
    storage: values.storage,
    cleanup: values.cleanup,
    collector: values.collector
      ? { tokenSecret: values['token-secret'], image: values['collector-image'], baselineContent, deadline: values.deadline }
      : undefined,
  } as const;
  let text = buildTestRunManifest(input);
  if (values['results-pod']) text += `---\n${buildCollectorPodManifest(input)}`;
  if (values.output) {
    await writeOutput(values.output, io.cwd, text);
    log.info(
      `k6-gate: wrote ${values.output} (TestRun ${name}, ${parallelism} runners${values.collector ? `, collector ${collectorUrl(input)}; create the Secret ${tokenSecretName(input)} (key token) before applying` : ''})`,
    );
  } else {
    io.stdout(text);
  }
  return 0;
}

function parseOperatorArgs(args: string[]) {
  return parseCommandArgs(
    {
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
    },
    args,
    'operator-manifest',
  );
}

type OperatorValues = ReturnType<typeof parseOperatorArgs>['values'];

/** The checks that need no file: one positional, the required flags, the flags that go together. */
function checkFlags(
  values: OperatorValues,
  positionals: string[],
): { name: string; parallelism: number; accessMode: 'ReadWriteMany' | 'ReadWriteOnce' | undefined } {
  if (positionals.length !== 1) {
    throw new ConfigError(
      `operator-manifest takes one scenario, script or .tar archive; got ${positionals.length} (${positionals.join(' ') || 'none'})`,
    );
  }
  if (!values.name) throw new ConfigError('operator-manifest needs --name, e.g. --name checkout-load');
  const parallelism = Number(values.parallelism);
  if (!values.parallelism || !Number.isInteger(parallelism) || parallelism < 1) {
    throw new ConfigError(
      `--parallelism ${JSON.stringify(values.parallelism ?? '')} is not a positive whole number; expected the number of runner pods, e.g. 4`,
    );
  }
  const accessMode = values['access-mode'];
  if (accessMode !== undefined && accessMode !== 'ReadWriteMany' && accessMode !== 'ReadWriteOnce') {
    throw new ConfigError(`--access-mode ${JSON.stringify(accessMode)} is not valid; expected ReadWriteMany or ReadWriteOnce`);
  }
  return { name: values.name, parallelism, accessMode };
}

/** The --collector flags only with --collector, and never with the claim's --results-pod. */
function checkCollectorFlags(values: OperatorValues): void {
  const collectorOnly = ['token-secret', 'collector-image', 'baseline', 'deadline'] as const;
  const stray = collectorOnly.find((flag) => values[flag] !== undefined);
  if (stray && !values.collector) throw new ConfigError(`--${stray} belongs to --collector mode; expected --collector with it`);
  if (values.collector && values['results-pod']) {
    throw new ConfigError(
      '--results-pod serves the claim of the raw-sample mode; --collector needs no claim (the runners push to the collector)',
    );
  }
  if (values.deadline !== undefined) parseTimeLimit('deadline', values.deadline);
}

/** The script (a scenario's, a file's) as text, or a k6 archive as bytes. */
async function readScript(ref: string, cwd: string): Promise<{ script: string; content: Uint8Array | string }> {
  const isArchive = ref.endsWith('.tar');
  const script = isArchive ? path.resolve(cwd, ref) : (await resolveScenario(ref, cwd)).script;
  try {
    return { script, content: isArchive ? new Uint8Array(await readFile(script)) : await readFile(script, 'utf8') };
  } catch (error) {
    throw new ConfigError(
      `${isArchive ? 'archive' : 'script'} ${JSON.stringify(ref)} cannot be read (${codeOf(error)}); expected ${isArchive ? 'a k6 archive (k6 archive script.js)' : 'a k6 script'}`,
      { cause: error },
    );
  }
}

async function readBaseline(file: string | undefined, cwd: string): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--baseline ${JSON.stringify(file)} cannot be read (${codeOf(error)}); expected the k6-gate baseline file to gate against`,
      { cause: error },
    );
  }
}

async function writeOutput(file: string, cwd: string, text: string): Promise<void> {
  try {
    await writeFile(path.resolve(cwd, file), text);
  } catch (error) {
    throw new ConfigError(
      `--output ${JSON.stringify(file)} cannot be written (${codeOf(error)}); expected a file in an existing folder you may write to`,
      { cause: error },
    );
  }
}

/** `ENOENT`, `EACCES`, …: the part of a file-system error a user can act on. */
function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
