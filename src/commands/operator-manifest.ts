// `k6-gate operator-manifest`: writes the Kubernetes manifests of a sharded run with k6-operator.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseCommandArgs, parseEnvPairs, quoteArg, splitArgs } from '../config.js';
import type { Logger } from '../log.js';
import { resolveScenario } from '../scenarios.js';
import { buildCollectorPodManifest, buildTestRunManifest } from '../shard/operator.js';

export const OPERATOR_MANIFEST_HELP = `k6-gate operator-manifest <scenario|script|archive.tar> --name NAME --parallelism N [options]

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

export async function commandOperatorManifest(
  args: string[],
  io: { cwd: string; stdout: (text: string) => void },
  log: Logger,
): Promise<number> {
  const parsed = parseCommandArgs(
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
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    args,
    'operator-manifest',
  );
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(OPERATOR_MANIFEST_HELP);
    return 0;
  }
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
  const ref = positionals[0];
  const isArchive = ref.endsWith('.tar');
  const script = isArchive ? path.resolve(io.cwd, ref) : (await resolveScenario(ref, io.cwd)).script;
  let content: Uint8Array | string;
  try {
    content = isArchive ? new Uint8Array(await readFile(script)) : await readFile(script, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${isArchive ? 'archive' : 'script'} ${JSON.stringify(ref)} cannot be read (${codeOf(error)}); expected ${isArchive ? 'a k6 archive (k6 archive script.js)' : 'a k6 script'}`,
      { cause: error },
    );
  }
  const scriptFile = path.basename(script);
  const input = {
    name: values.name,
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
  } as const;
  let text = buildTestRunManifest(input);
  if (values.collector) text += `---\n${buildCollectorPodManifest(input)}`;
  if (values.output) {
    try {
      await writeFile(path.resolve(io.cwd, values.output), text);
    } catch (error) {
      throw new ConfigError(
        `--output ${JSON.stringify(values.output)} cannot be written (${codeOf(error)}); expected a file in an existing folder you may write to`,
        { cause: error },
      );
    }
    log.info(`k6-gate: wrote ${values.output} (TestRun ${values.name}, ${parallelism} runners)`);
  } else {
    io.stdout(text);
  }
  return 0;
}

/** `ENOENT`, `EACCES`, …: the part of a file-system error a user can act on. */
function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
