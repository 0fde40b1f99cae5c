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

export interface FakeGitHubApi {
  url: string;
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
