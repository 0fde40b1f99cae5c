// A local fake of the slice of GitHub's REST API the sticky comment uses: list issue comments
// (paginated with a Link header, like GitHub), create, update; plus injected failures (403 for a
// read-only fork token, 429 with retry-after). The real Octokit talks to it over HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: CommentUser;
}

export interface CommentUser {
  login: string;
  type: 'Bot' | 'User';
}

/** Who comments made through the API are by: the job token's bot. */
export const TOKEN_BOT: CommentUser = { login: 'github-actions[bot]', type: 'Bot' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
  authorization?: string;
}

export interface InjectedFailure {
  method: string;
  /** Matched against the path without the query. */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** How many matching requests fail before the route works again; Infinity for always. */
  times: number;
}

/** One branch of the fake repository: its head commit and its files. */
export interface FakeBranch {
  sha: string;
  files: Map<string, string>;
  /** Commit messages, oldest first. */
  commits: string[];
}

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface FakeGitHubApi {
  url: string;
  /** The repository acme/shop's branches (Git refs and contents API) and pull requests. */
  branches: Map<string, FakeBranch>;
  pulls: FakePull[];
  seedBranch(name: string, files: Record<string, string>): void;
  requests: RecordedRequest[];
  comments(owner: string, repo: string, issue: number): FakeComment[];
  /** Comments already on the thread; by the token's bot unless `author` says otherwise (a person). */
  seedComments(owner: string, repo: string, issue: number, bodies: string[], author?: CommentUser): FakeComment[];
  /** The login GET /user returns; unset, it answers 403 as GitHub does for a job's GITHUB_TOKEN. */
  setTokenUser(user: CommentUser | undefined): void;
  fail(failure: InjectedFailure): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  const threads = new Map<string, FakeComment[]>();
  const failures: InjectedFailure[] = [];
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let base = '';
  const thread = (owner: string, repo: string, issue: number) => {
    const key = `${owner}/${repo}#${issue}`;
    if (!threads.has(key)) threads.set(key, []);
    return threads.get(key)!;
  };
  let tokenUser: CommentUser | undefined;
  const newComment = (
    owner: string,
    repo: string,
    issue: number,
    body: string,
    user: CommentUser = tokenUser ?? TOKEN_BOT,
  ): FakeComment => {
    const id = nextId++;
    return {
      id,
      body,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      user,
    };
  };

  const branches = new Map<string, FakeBranch>();
  const pulls: FakePull[] = [];
  let commitCounter = 0;
  const newSha = () => `${(++commitCounter).toString(16).padStart(8, '0')}${'0'.repeat(32)}`;
  const blobSha = (text: string) => `blob-${Buffer.from(text).toString('base64url').slice(0, 12)}-${text.length}`;

  /** Git refs, contents and pulls of acme/shop; true when the request was one of them. */
  const repoRoute = (req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): boolean => {
    const m = /^\/repos\/acme\/shop\/(.+)$/.exec(url.pathname);
    if (!m) return false;
    const rest = decodeURIComponent(m[1]);
    const input = (body ?? {}) as Record<string, unknown>;
    let r: RegExpExecArray | null;
    if ((r = /^git\/ref\/heads\/(.+)$/.exec(rest)) && req.method === 'GET') {
      const branch = branches.get(r[1]);
      if (!branch) send(res, 404, { message: 'Not Found' });
      else send(res, 200, { ref: `refs/heads/${r[1]}`, object: { sha: branch.sha, type: 'commit' } });
      return true;
    }
    if (rest === 'git/refs' && req.method === 'POST') {
      const name = String(input.ref).replace(/^refs\/heads\//, '');
      const from = [...branches.values()].find((b) => b.sha === input.sha);
      if (!from) return (send(res, 422, { message: 'Object does not exist' }), true);
      if (branches.has(name)) return (send(res, 422, { message: 'Reference already exists' }), true);
      branches.set(name, { sha: from.sha, files: new Map(from.files), commits: [...from.commits] });
      send(res, 201, { ref: `refs/heads/${name}`, object: { sha: from.sha } });
      return true;
    }
    if ((r = /^git\/refs\/heads\/(.+)$/.exec(rest)) && req.method === 'PATCH') {
      const from = [...branches.values()].find((b) => b.sha === input.sha);
      if (!branches.has(r[1])) return (send(res, 422, { message: 'Reference does not exist' }), true);
      if (!from || input.force !== true) return (send(res, 422, { message: 'Update is not a fast forward' }), true);
      branches.set(r[1], { sha: from.sha, files: new Map(from.files), commits: [...from.commits] });
      send(res, 200, { ref: `refs/heads/${r[1]}`, object: { sha: from.sha } });
      return true;
    }
    if ((r = /^contents\/(.+)$/.exec(rest))) {
      const filePath = r[1];
      if (req.method === 'GET') {
        const branch = branches.get(url.searchParams.get('ref') ?? 'main');
        const text = branch?.files.get(filePath);
        if (text === undefined) send(res, 404, { message: 'Not Found' });
        else
          send(res, 200, {
            type: 'file',
            path: filePath,
            sha: blobSha(text),
            encoding: 'base64',
            content: Buffer.from(text).toString('base64'),
          });
        return true;
      }
      if (req.method === 'PUT') {
        const branch = branches.get(String(input.branch));
        if (!branch) return (send(res, 404, { message: 'Branch not found' }), true);
        const current = branch.files.get(filePath);
        if (current !== undefined && input.sha !== blobSha(current))
          return (send(res, 409, { message: `${filePath} does not match ${String(input.sha)}` }), true);
        if (current === undefined && input.sha !== undefined) return (send(res, 422, { message: 'sha given for a new file' }), true);
        branch.files.set(filePath, Buffer.from(String(input.content), 'base64').toString('utf8'));
        branch.sha = newSha();
        branch.commits.push(String(input.message));
        send(res, current === undefined ? 201 : 200, { content: { path: filePath }, commit: { sha: branch.sha } });
        return true;
      }
    }
    if (rest === 'pulls' && req.method === 'GET') {
      const head = url.searchParams.get('head')?.replace(/^acme:/, '');
      const base = url.searchParams.get('base');
      const state = url.searchParams.get('state') ?? 'open';
      send(
        res,
        200,
        pulls.filter((p) => (!head || p.head === head) && (!base || p.base === base) && (state === 'all' || p.state === state)),
      );
      return true;
    }
    if (rest === 'pulls' && req.method === 'POST') {
      if (!branches.has(String(input.head))) return (send(res, 422, { message: 'head does not exist' }), true);
      const number = pulls.length + 100;
      const pull: FakePull = {
        number,
        head: String(input.head),
        base: String(input.base),
        title: String(input.title),
        body: String(input.body),
        state: 'open',
        html_url: `https://github.com/acme/shop/pull/${number}`,
      };
      pulls.push(pull);
      send(res, 201, pull);
      return true;
    }
    if ((r = /^pulls\/(\d+)$/.exec(rest)) && req.method === 'PATCH') {
      const pull = pulls.find((p) => p.number === Number(r![1]));
      if (!pull) return (send(res, 404, { message: 'Not Found' }), true);
      if (typeof input.title === 'string') pull.title = input.title;
      if (typeof input.body === 'string') pull.body = input.body;
      send(res, 200, pull);
      return true;
    }
    return false;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      body,
      authorization: req.headers.authorization,
    });

    const failure = failures.find((f) => f.times > 0 && f.method === req.method && f.path.test(url.pathname));
    if (failure) {
      failure.times--;
      send(
        res,
        failure.status,
        { message: failure.message ?? `fake failure ${failure.status}`, documentation_url: 'https://docs.github.com/rest' },
        failure.headers,
      );
      return;
    }

    if (repoRoute(req, res, url, body)) return;
    if (url.pathname === '/user' && req.method === 'GET') {
      if (!tokenUser) return send(res, 403, { message: 'Resource not accessible by integration' });
      return send(res, 200, { login: tokenUser.login, type: tokenUser.type, id: 99 });
    }
    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (m) {
      const [, owner, repo, issue] = m;
      const list = thread(owner, repo, Number(issue));
      if (req.method === 'GET') {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const links: string[] = [];
        const pageUrl = (p: number) => `<${base}${url.pathname}?per_page=${perPage}&page=${p}>`;
        if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
        if (page > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(page - 1)}; rel="prev"`);
        send(res, 200, list.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
        return;
      }
      if (req.method === 'POST') {
        const text = (body as { body?: string })?.body;
        if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
        if (text.length > 65_536) return send(res, 422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)' });
        const comment = newComment(owner, repo, Number(issue), text);
        list.push(comment);
        send(res, 201, comment);
        return;
      }
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (m && req.method === 'PATCH') {
      const id = Number(m[3]);
      const comment = [...threads.values()].flat().find((c) => c.id === id);
      if (!comment) return send(res, 404, { message: 'Not Found' });
      const text = (body as { body?: string })?.body;
      if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
      if (text.length > 65_536) return send(res, 422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)' });
      comment.body = text;
      send(res, 200, comment);
      return;
    }
    send(res, 404, { message: `Not Found (fake has no route for ${req.method} ${url.pathname})` });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    branches,
    pulls,
    seedBranch(name, files) {
      branches.set(name, { sha: newSha(), files: new Map(Object.entries(files)), commits: [] });
    },
    requests,
    comments: (owner, repo, issue) => thread(owner, repo, issue),
    seedComments(owner, repo, issue, bodies, author) {
      const list = thread(owner, repo, issue);
      const made = bodies.map((b) => newComment(owner, repo, issue, b, author));
      list.push(...made);
      return made;
    },
    fail: (failure) => failures.push({ ...failure }),
    setTokenUser: (user) => {
      tokenUser = user;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
