// A local stand-in for the parts of GitLab's REST API v4 that k6-gate uses: merge-request notes
// with offset pagination (X-Next-Page and Link headers, like GitLab), PRIVATE-TOKEN auth, and
// scripted failures (401/403/429/5xx) for the error paths.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeNote {
  id: number;
  body: string;
  system: boolean;
  author?: { username: string };
}

/** The user a project access token acts as; notes posted through the API are by it. */
export const TOKEN_BOT_USER = 'project_42_bot_k6gate';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  token?: string;
  body?: unknown;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeMergeRequest {
  iid: number;
  source_branch: string;
  target_branch: string;
  title: string;
  description: string;
  state: 'opened' | 'merged';
  web_url: string;
}

export interface FakeGitLab {
  apiUrl: string;
  /** The project's branches (files by path, commit messages oldest first) for the repository API. */
  branches: Map<string, { files: Map<string, string>; commits: string[] }>;
  mergeRequests: FakeMergeRequest[];
  requests: RecordedRequest[];
  /** Notes by `projectId!iid`. */
  notes: Map<string, FakeNote[]>;
  /** Replies served (in order) before normal handling, e.g. a 429 then a 503. */
  script: ScriptedReply[];
  close(): Promise<void>;
}

export async function startFakeGitLab(options: {
  token: string;
  projectId: string;
  notes?: Record<string, FakeNote[]>;
  /** Branches of the project's repository: file path → content. */
  branches?: Record<string, Record<string, string>>;
}): Promise<FakeGitLab> {
  const notes = new Map<string, FakeNote[]>(Object.entries(options.notes ?? {}));
  const requests: RecordedRequest[] = [];
  const script: ScriptedReply[] = [];
  let nextId = 1000;
  const branches = new Map<string, { files: Map<string, string>; commits: string[] }>(
    Object.entries(options.branches ?? {}).map(([name, files]) => [name, { files: new Map(Object.entries(files)), commits: [] }]),
  );
  const mergeRequests: FakeMergeRequest[] = [];
  /** Repository files, commits and merge requests of the project; true when the request was one of them. */
  const repositoryRoute = (record: RecordedRequest, url: URL, send: (status: number, body: unknown) => void): boolean => {
    const m = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m || decodeURIComponent(m[1]) !== options.projectId) return false;
    const rest = m[2];
    const input = (record.body ?? {}) as Record<string, unknown>;
    let r: RegExpExecArray | null;
    if ((r = /^repository\/files\/([^/]+)$/.exec(rest)) && record.method === 'GET') {
      const text = branches.get(url.searchParams.get('ref') ?? '')?.files.get(decodeURIComponent(r[1]));
      if (text === undefined) send(404, { message: '404 File Not Found' });
      else send(200, { file_path: decodeURIComponent(r[1]), encoding: 'base64', content: Buffer.from(text).toString('base64') });
      return true;
    }
    if (rest === 'repository/commits' && record.method === 'POST') {
      const name = String(input.branch);
      let branch = branches.get(name);
      if (!branch || input.force === true) {
        const start = branches.get(String(input.start_branch ?? name));
        if (!start) return (send(400, { message: 'You can only create or edit files when you are on a branch' }), true);
        branch = { files: new Map(start.files), commits: [...start.commits] };
      }
      for (const action of (input.actions as { action: string; file_path: string; content: string }[]) ?? []) {
        const exists = branch.files.has(action.file_path);
        if (action.action === 'create' && exists) return (send(400, { message: 'A file with this name already exists' }), true);
        if (action.action === 'update' && !exists) return (send(400, { message: "A file with this name doesn't exist" }), true);
        branch.files.set(action.file_path, action.content);
      }
      branch.commits.push(String(input.commit_message));
      branches.set(name, branch);
      send(201, { id: `commit-${branch.commits.length}`, message: input.commit_message });
      return true;
    }
    if (rest === 'merge_requests' && record.method === 'GET') {
      const q = url.searchParams;
      send(
        200,
        mergeRequests.filter(
          (mr) =>
            (!q.get('state') || mr.state === q.get('state')) &&
            (!q.get('source_branch') || mr.source_branch === q.get('source_branch')) &&
            (!q.get('target_branch') || mr.target_branch === q.get('target_branch')),
        ),
      );
      return true;
    }
    if (rest === 'merge_requests' && record.method === 'POST') {
      if (!branches.has(String(input.source_branch))) return (send(400, { message: 'Source branch does not exist' }), true);
      const iid = mergeRequests.length + 50;
      const mr: FakeMergeRequest = {
        iid,
        source_branch: String(input.source_branch),
        target_branch: String(input.target_branch),
        title: String(input.title),
        description: String(input.description),
        state: 'opened',
        web_url: `https://gitlab.example.com/acme/shop/-/merge_requests/${iid}`,
      };
      mergeRequests.push(mr);
      send(201, mr);
      return true;
    }
    if ((r = /^merge_requests\/(\d+)$/.exec(rest)) && record.method === 'PUT') {
      const mr = mergeRequests.find((x) => x.iid === Number(r![1]));
      if (!mr) return (send(404, { message: '404 Not found' }), true);
      if (typeof input.title === 'string') mr.title = input.title;
      if (typeof input.description === 'string') mr.description = input.description;
      send(200, mr);
      return true;
    }
    return false;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        token: req.headers['private-token'] as string | undefined,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(record);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const scripted = script.shift();
      if (scripted) return send(scripted.status, scripted.body ?? { message: `scripted ${scripted.status}` }, scripted.headers);
      if (record.token !== options.token) return send(401, { message: '401 Unauthorized' });
      if (repositoryRoute(record, url, send)) return;
      if (url.pathname === '/api/v4/user' && record.method === 'GET') return send(200, { id: 9042, username: TOKEN_BOT_USER, bot: true });
      const match = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname);
      if (!match || decodeURIComponent(match[1]) !== options.projectId) return send(404, { message: '404 Not found' });
      const key = `${options.projectId}!${match[2]}`;
      const list = notes.get(key) ?? [];
      notes.set(key, list);
      if (record.method === 'GET' && !match[3]) {
        const perPage = Number(url.searchParams.get('per_page') ?? 20);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = list.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = { 'x-page': String(page), 'x-per-page': String(perPage), 'x-total': String(list.length) };
        if (page * perPage < list.length) {
          headers['x-next-page'] = String(page + 1);
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${apiBase()}${next.pathname.replace(/^\/api\/v4/, '')}${next.search}>; rel="next", <${apiBase()}${url.pathname.replace(/^\/api\/v4/, '')}?page=1>; rel="first"`;
        } else {
          headers['x-next-page'] = '';
        }
        return send(200, slice, headers);
      }
      if (record.method === 'POST' && !match[3]) {
        const note = { id: nextId++, body: (record.body as { body: string }).body, system: false, author: { username: TOKEN_BOT_USER } };
        list.push(note);
        return send(201, note);
      }
      if (record.method === 'PUT' && match[3]) {
        const note = list.find((n) => n.id === Number(match[3]));
        if (!note) return send(404, { message: '404 Note Not Found' });
        note.body = (record.body as { body: string }).body;
        return send(200, note);
      }
      return send(405, { message: 'method not allowed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const apiBase = () => `http://127.0.0.1:${port}/api/v4`;
  return {
    apiUrl: apiBase(),
    branches,
    mergeRequests,
    requests,
    notes,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Filler notes from other people, to push the marker note onto a later page. */
export function otherNotes(count: number, firstId = 1): FakeNote[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    body: `looks good ${i}`,
    system: i % 7 === 0,
    author: { username: 'reviewer' },
  }));
}
