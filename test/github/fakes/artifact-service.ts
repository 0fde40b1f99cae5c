// A local fake of the Actions artifact service as @actions/artifact (v2+ protocol) uses it:
// Twirp JSON calls CreateArtifact / FinalizeArtifact on ACTIONS_RESULTS_URL, and in between an
// Azure-blob-like signed URL that takes the zip as staged blocks (PUT ?comp=block) and a block list
// (PUT ?comp=blocklist). The fake keeps the committed zip and unpacks it so tests can see the files.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';

export interface FakeArtifact {
  id: number;
  name: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  expiresAt?: string;
  finalized: boolean;
  size?: string;
  hash?: string;
  zip?: Buffer;
  files: Map<string, Buffer>;
}

export interface FakeArtifactService {
  /** Value for ACTIONS_RESULTS_URL. */
  url: string;
  artifacts: FakeArtifact[];
  authorizations: string[];
  close(): Promise<void>;
}

/** ACTIONS_RUNTIME_TOKEN as the client parses it: a JWT whose `scp` names the run and job backend ids. */
export function fakeRuntimeToken(runBackendId = 'run-backend-1', jobBackendId = 'job-backend-1'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ scp: `Actions.GenericRead:x Actions.Results:${runBackendId}:${jobBackendId}` })}.c2lnbmF0dXJl`;
}

/** Reads a zip through its central directory (stored and deflated entries, as the artifact client writes). */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let eocd = -1;
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (!name.endsWith('/')) files.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

async function readBuffer(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeArtifactService(): Promise<FakeArtifactService> {
  const artifacts: FakeArtifact[] = [];
  const authorizations: string[] = [];
  const blocks = new Map<string, Map<string, Buffer>>();
  const committed = new Map<string, Buffer>();
  let nextId = 4242;
  let base = '';

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBuffer(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };

    if (req.method === 'POST' && url.pathname.startsWith(SERVICE)) {
      authorizations.push(req.headers.authorization ?? '');
      const method = url.pathname.slice(SERVICE.length);
      const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      if (method === 'CreateArtifact') {
        const name = String(request.name);
        if (artifacts.some((a) => a.name === name && a.workflowRunBackendId === request.workflow_run_backend_id)) {
          return json(409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
        }
        artifacts.push({
          id: 0,
          name,
          workflowRunBackendId: String(request.workflow_run_backend_id),
          workflowJobRunBackendId: String(request.workflow_job_run_backend_id),
          expiresAt: request.expires_at as string | undefined,
          finalized: false,
          files: new Map(),
        });
        const blobPath = `/fakeaccount/actions-results/${encodeURIComponent(name)}.zip`;
        return json(200, { ok: true, signed_upload_url: `${base}${blobPath}?sv=2023-11-03&se=2099-01-01&sr=b&sp=cw&sig=fakesignature` });
      }
      if (method === 'FinalizeArtifact') {
        const artifact = artifacts.find((a) => a.name === request.name && !a.finalized);
        if (!artifact) return json(404, { code: 'not_found', msg: `no artifact ${String(request.name)} to finalize` });
        const zip = committed.get(`/fakeaccount/actions-results/${encodeURIComponent(artifact.name)}.zip`);
        if (!zip) return json(400, { code: 'failed_precondition', msg: 'finalize before any upload' });
        artifact.finalized = true;
        artifact.id = nextId++;
        artifact.size = String(request.size);
        artifact.hash = (request.hash as string | undefined) ?? undefined;
        artifact.zip = zip;
        artifact.files = unzip(zip);
        return json(200, { ok: true, artifact_id: String(artifact.id) });
      }
      return json(404, { code: 'bad_route', msg: `no method ${method}` });
    }

    if (req.method === 'PUT' && url.pathname.startsWith('/fakeaccount/')) {
      if (url.searchParams.get('sig') !== 'fakesignature') {
        res.writeHead(403);
        return res.end('signature mismatch');
      }
      const comp = url.searchParams.get('comp');
      const staged = blocks.get(url.pathname) ?? new Map<string, Buffer>();
      blocks.set(url.pathname, staged);
      const headers = { 'x-ms-request-id': 'fake', 'x-ms-version': '2023-11-03', date: new Date().toUTCString() };
      if (comp === 'block') {
        staged.set(url.searchParams.get('blockid') ?? '', body);
        res.writeHead(201, headers);
        return res.end();
      }
      if (comp === 'blocklist') {
        const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
        const missing = ids.filter((id) => !staged.has(id));
        if (missing.length > 0) {
          res.writeHead(400, headers);
          return res.end(`InvalidBlockList: ${missing.join(',')}`);
        }
        committed.set(url.pathname, Buffer.concat(ids.map((id) => staged.get(id)!)));
        res.writeHead(201, { ...headers, etag: '"0x1"', 'last-modified': new Date().toUTCString() });
        return res.end();
      }
      // A single-shot upload (no comp) is a whole blob.
      committed.set(url.pathname, body);
      res.writeHead(201, headers);
      return res.end();
    }
    res.writeHead(404);
    res.end(`fake artifact service has no route for ${req.method} ${url.pathname}`);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/`, artifacts, authorizations, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
