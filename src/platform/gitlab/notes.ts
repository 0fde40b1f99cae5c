// The sticky merge-request note: one per job, found again by a hidden marker and edited in place,
// so a merge request carries one current report per job instead of a growing list of them.
//
// GitLab REST API v4 with `fetch`: GET/POST /projects/:id/merge_requests/:iid/notes and
// PUT .../notes/:note_id. CI_JOB_TOKEN cannot write notes, so the token is a project (or group)
// access token with the api scope, sent as PRIVATE-TOKEN.
import { ExpectedError } from '../../errors.js';

/** GitLab rejects longer note bodies (1,000,000 characters); keep a margin for the marker. */
export const GITLAB_NOTE_LIMIT = 1_000_000;

export interface GitLabNote {
  id: number;
  body: string;
  system?: boolean;
}

export class GitLabApiError extends ExpectedError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitLabApiError';
  }
}

export interface GitLabClientOptions {
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4 */
  apiUrl: string;
  /** CI_PROJECT_ID (numeric) or the URL-encoded-able path `group/project`. */
  projectId: string;
  token: string;
  fetch?: typeof fetch;
  /** Retries after 429 and 5xx (and network errors) before giving up. */
  maxRetries?: number;
  /** First back-off step for 5xx; doubles each retry. */
  baseDelayMs?: number;
  /** Longest wait a Retry-After header may impose. */
  maxRetryAfterMs?: number;
  /** Page size of the notes list. */
  perPage?: number;
  /** Stops the marker search after this many pages; a merge request with more notes gets a new note. */
  maxPages?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry with the reason, for the job log. */
  onRetry?: (message: string) => void;
}

/** `Retry-After` as seconds or an HTTP date → milliseconds to wait. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The next page's URL from an RFC 8288 `Link` header, when there is one. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel="?next"?/.test(match[2])) return match[1];
  }
  return undefined;
}

export class GitLabNotesClient {
  private readonly fetchImpl: typeof fetch;
  private readonly options: Required<Omit<GitLabClientOptions, 'fetch' | 'onRetry'>> & Pick<GitLabClientOptions, 'onRetry'>;

  constructor(options: GitLabClientOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.options = {
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
      projectId: options.projectId,
      token: options.token,
      maxRetries: options.maxRetries ?? 3,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      perPage: options.perPage ?? 100,
      maxPages: options.maxPages ?? 50,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      onRetry: options.onRetry,
    };
  }

  private notesUrl(iid: string): string {
    return `${this.options.apiUrl}/projects/${encodeURIComponent(this.options.projectId)}/merge_requests/${encodeURIComponent(iid)}/notes`;
  }

  /** One request with bounded retries; the token never appears in messages. */
  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    const { maxRetries, baseDelayMs, maxRetryAfterMs, sleep, onRetry } = this.options;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: string;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers: {
            'PRIVATE-TOKEN': this.options.token,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        failure = `${method} ${url} failed: ${(error as Error).message}`;
        if (attempt >= maxRetries) throw new GitLabApiError(failure, undefined, { cause: error });
        const wait = baseDelayMs * 2 ** attempt;
        onRetry?.(`${failure}; retrying in ${wait} ms (${attempt + 1}/${maxRetries})`);
        await sleep(wait);
        continue;
      }
      if (response.ok) return response;
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= maxRetries) {
        const text = await response.text().catch(() => '');
        throw new GitLabApiError(
          `${method} ${url} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
          response.status,
        );
      }
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      const hinted = response.status === 429 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
      const wait = Math.min(hinted ?? baseDelayMs * 2 ** attempt, maxRetryAfterMs);
      onRetry?.(`${method} ${url} answered HTTP ${response.status}; retrying in ${wait} ms (${attempt + 1}/${maxRetries})`);
      await sleep(wait);
    }
  }

  /** Walks the notes of a merge request page by page (oldest first) until the marker turns up. */
  async findNote(iid: string, marker: string): Promise<GitLabNote | undefined> {
    let url: string | undefined = `${this.notesUrl(iid)}?per_page=${this.options.perPage}&sort=asc&order_by=created_at`;
    for (let page = 1; url && page <= this.options.maxPages; page++) {
      const response = await this.request('GET', url);
      const notes = (await response.json()) as GitLabNote[];
      if (!Array.isArray(notes)) throw new GitLabApiError(`GET ${url} did not answer with a list of notes`, response.status);
      const hit = notes.find((note) => !note.system && typeof note.body === 'string' && note.body.includes(marker));
      if (hit) return hit;
      url = this.nextPageUrl(response, url);
    }
    return undefined;
  }

  /** GitLab sends both `Link` and `X-Next-Page`; keyset pagination sends only `Link`. */
  private nextPageUrl(response: Response, current: string): string | undefined {
    const link = nextLink(response.headers.get('link'));
    if (link) return link;
    const next = response.headers.get('x-next-page')?.trim();
    if (!next) return undefined;
    const url = new URL(current);
    url.searchParams.set('page', next);
    return url.toString();
  }

  async createNote(iid: string, body: string): Promise<GitLabNote> {
    const response = await this.request('POST', this.notesUrl(iid), { body });
    return (await response.json()) as GitLabNote;
  }

  async updateNote(iid: string, noteId: number, body: string): Promise<GitLabNote> {
    const response = await this.request('PUT', `${this.notesUrl(iid)}/${noteId}`, { body });
    return (await response.json()) as GitLabNote;
  }
}

/** The hidden line that identifies one job's note; the same format as the GitHub comment marker. */
export function noteMarker(id: string): string {
  // HTML comments cannot contain `--` or an early `>`.
  const safe = id.replace(/[^A-Za-z0-9_.:@/-]+/g, '-').replace(/-{2,}/g, '-');
  return `<!-- k6-gate:${safe} -->`;
}

/** Finds the job's note and edits it, or creates it. */
export async function upsertStickyNote(
  client: GitLabNotesClient,
  iid: string,
  marker: string,
  body: string,
): Promise<{ note: GitLabNote; action: 'created' | 'updated' }> {
  const fullBody = body.includes(marker) ? body : `${marker}\n${body}`;
  const existing = await client.findNote(iid, marker);
  if (existing) return { note: await client.updateNote(iid, existing.id, fullBody), action: 'updated' };
  return { note: await client.createNote(iid, fullBody), action: 'created' };
}

/**
 * The merge request of this pipeline: CI_MERGE_REQUEST_IID in merge-request pipelines; in branch
 * pipelines the first entry of CI_OPEN_MERGE_REQUESTS (`group/project!12,other/project!3`) that
 * belongs to this project, since an IID only means something inside its own project.
 */
export function resolveMergeRequestIid(env: NodeJS.ProcessEnv): string | undefined {
  const direct = env.CI_MERGE_REQUEST_IID?.trim();
  if (direct && /^\d+$/.test(direct)) return direct;
  const open = env.CI_OPEN_MERGE_REQUESTS?.trim();
  if (!open) return undefined;
  const project = env.CI_PROJECT_PATH?.trim();
  for (const entry of open.split(',')) {
    const match = /^(.+)!(\d+)$/.exec(entry.trim());
    if (!match) continue;
    if (!project || match[1] === project) return match[2];
  }
  return undefined;
}
