// GitLab's REST API v4 as k6-gate uses it, over the one patient fetch (deadline, retries, budget):
// the sticky merge-request note (GET/POST /projects/:id/merge_requests/:iid/notes, PUT …/notes/:id),
// found again by its hidden marker and by its author (GET /user), and any other call through `call`
// (the baseline proposal's commits and merge requests). CI_JOB_TOKEN cannot write notes, so the token
// is a project (or group) access token with the api scope, sent as PRIVATE-TOKEN; it never appears in
// a message.
import { ExpectedError } from '../../errors.js';
import { createPatientFetch, type PatientFetchOptions } from '../../http.js';
import { findSticky, stickyMarker, upsertSticky, type StickyComment, type StickyThread } from '../sticky.js';

/** GitLab rejects longer note bodies (1,000,000 characters); keep a margin for the marker. */
export const GITLAB_NOTE_LIMIT = 1_000_000;

export interface GitLabNote {
  id: number;
  body: string;
  system?: boolean;
  author?: { username?: string };
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

/** Where the API is and whose token; the deadline and retry knobs are the patient fetch's (http.ts). */
export interface GitLabClientOptions extends PatientFetchOptions {
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4 */
  apiUrl: string;
  /** CI_PROJECT_ID (numeric) or the URL-encoded-able path `group/project`. */
  projectId: string;
  token: string;
  /** Page size of the notes list. */
  perPage?: number;
  /** Stops the marker search after this many pages; a merge request with more notes gets a new note. */
  maxPages?: number;
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

export class GitLabClient {
  private readonly fetchImpl: typeof fetch;
  private readonly apiUrl: string;
  private readonly perPage: number;
  private readonly maxPages: number;

  constructor(private readonly options: GitLabClientOptions) {
    this.fetchImpl = createPatientFetch(options);
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.perPage = options.perPage ?? 100;
    this.maxPages = options.maxPages ?? 50;
  }

  private notesUrl(iid: string): string {
    return `${this.apiUrl}/projects/${encodeURIComponent(this.options.projectId)}/merge_requests/${encodeURIComponent(iid)}/notes`;
  }

  /** One request (deadline and retries in the patient fetch); the token never appears in messages. */
  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    let response: Response;
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
      const e = error as Error & { cause?: { code?: string } };
      const detail = e.cause?.code ? `${e.message} (${e.cause.code})` : e.message;
      throw new GitLabApiError(detail.startsWith(method) ? detail : `${method} ${url} failed: ${detail}`, undefined, { cause: error });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    throw new GitLabApiError(`${method} ${url} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, response.status);
  }

  /**
   * Any call under the API root (`/projects/42/repository/commits`), its JSON answer, or undefined
   * for a 404 when `missingIsUndefined`; other failures throw GitLabApiError.
   */
  async call<T>(method: string, apiPath: string, body?: unknown, missingIsUndefined = false): Promise<T | undefined> {
    try {
      return (await (await this.request(method, `${this.apiUrl}${apiPath}`, body)).json()) as T;
    } catch (error) {
      if (missingIsUndefined && error instanceof GitLabApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The project's path segment: its id or its URL-encoded `group/project`. */
  get project(): string {
    return encodeURIComponent(this.options.projectId);
  }

  /** The token's own user name (a project access token's bot), so only its notes are edited. */
  async tokenUser(): Promise<string | undefined> {
    const user = (await (await this.request('GET', `${this.apiUrl}/user`)).json()) as { username?: string };
    return typeof user?.username === 'string' ? user.username : undefined;
  }

  /** The notes of a merge request, page by page, oldest first. */
  async *notePages(iid: string): AsyncIterable<GitLabNote[]> {
    let url: string | undefined = `${this.notesUrl(iid)}?per_page=${this.perPage}&sort=asc&order_by=created_at`;
    for (let page = 1; url && page <= this.maxPages; page++) {
      const response = await this.request('GET', url);
      const notes = (await response.json()) as GitLabNote[];
      if (!Array.isArray(notes)) throw new GitLabApiError(`GET ${url} did not answer with a list of notes`, response.status);
      yield notes;
      url = this.nextPageUrl(response, url);
    }
  }

  /** The marked note the token wrote, on any page. */
  async findNote(iid: string, marker: string): Promise<GitLabNote | undefined> {
    const found = await findSticky(this.thread(iid), marker);
    return found && { id: found.id, body: found.body };
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

  /** The merge request's notes as the sticky-comment algorithm sees them. */
  thread(iid: string): StickyThread {
    // A token whose user cannot be read still edits only marked, non-system notes, as before.
    let own: Promise<string | undefined> | undefined;
    return {
      pages: () => mapPages(this.notePages(iid)),
      isOwn: async (note) => {
        own ??= this.tokenUser().catch(() => undefined);
        const user = await own;
        return user === undefined || note.author?.login === user;
      },
      create: async (body) => ({ id: (await this.createNote(iid, body)).id }),
      update: async (id, body) => ({ id: (await this.updateNote(iid, id, body)).id }),
    };
  }
}

async function* mapPages(pages: AsyncIterable<GitLabNote[]>): AsyncIterable<StickyComment[]> {
  for await (const notes of pages) {
    yield notes.map((n) => ({
      id: n.id,
      body: typeof n.body === 'string' ? n.body : '',
      system: n.system,
      author: { login: n.author?.username },
    }));
  }
}

/** The hidden line that identifies one job's note; the same marker as the GitHub comment. */
export const noteMarker = stickyMarker;

/** Finds the job's note and edits it, or creates it. */
export async function upsertStickyNote(
  client: GitLabClient,
  iid: string,
  marker: string,
  body: string,
): Promise<{ note: GitLabNote; action: 'created' | 'updated' }> {
  const outcome = await upsertSticky(client.thread(iid), marker, body);
  if (outcome.action === 'skipped') throw new Error('unreachable: a note is always created when missing');
  return { note: { id: outcome.id, body }, action: outcome.action };
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
