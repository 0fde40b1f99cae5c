// The sticky comment, once for every platform: one comment per job (and matrix entry) on the pull
// or merge request, found again by a hidden marker AND by its author, and edited in place, so a
// change pushed to ten times carries one current report, not ten. A person's comment that quotes
// the marker is never edited: the platform would refuse, and it is not ours to change.

/** The hidden line that identifies one job's comment. HTML comments cannot hold `--` or an early `>`. */
export function stickyMarker(id: string): string {
  const safe = id
    .replace(/[\r\n]+/g, ' ')
    .replace(/-{2,}/g, '-')
    .replace(/>/g, '')
    .trim();
  return `<!-- k6-gate:${safe} -->`;
}

export interface StickyComment {
  id: number;
  body: string;
  url?: string;
  author?: { login?: string; type?: string; bot?: boolean };
  /** Written by the platform itself (GitLab's system notes): never ours. */
  system?: boolean;
}

/** What a platform offers for its change-request comments. */
export interface StickyThread {
  /** The comments, oldest first, a page at a time. */
  pages(): AsyncIterable<readonly StickyComment[]>;
  /** Whether the token that posts wrote this comment. */
  isOwn(comment: StickyComment): Promise<boolean>;
  create(body: string): Promise<{ id: number; url?: string }>;
  update(id: number, body: string): Promise<{ id: number; url?: string }>;
}

export type StickyOutcome = { action: 'created' | 'updated'; id: number; url?: string } | { action: 'skipped'; reason: string };

/** The first comment with the marker that the token itself wrote. */
export async function findSticky(thread: StickyThread, marker: string): Promise<StickyComment | undefined> {
  for await (const page of thread.pages()) {
    for (const comment of page) {
      if (comment.system || !comment.body?.includes(marker)) continue;
      if (await thread.isOwn(comment)) return comment;
    }
  }
  return undefined;
}

/** Edits the marked comment, or creates it when `createIfMissing` (the marker goes first: it survives any cut). */
export async function upsertSticky(
  thread: StickyThread,
  marker: string,
  body: string,
  options: { createIfMissing?: boolean; skipReason?: string } = {},
): Promise<StickyOutcome> {
  const fullBody = body.includes(marker) ? body : `${marker}\n${body}`;
  const existing = await findSticky(thread, marker);
  if (existing) return { action: 'updated', ...(await thread.update(existing.id, fullBody)) };
  if (options.createIfMissing === false) return { action: 'skipped', reason: options.skipReason ?? 'no earlier comment to update' };
  return { action: 'created', ...(await thread.create(fullBody)) };
}

/**
 * "Is this comment the token's own?" from the token's identity when it can be read, else from what
 * a job token writes as: a bot account (the GitHub job token's `github-actions[bot]` is not always
 * typed `Bot`; a login ending in `[bot]` cannot belong to a person). Asks for the identity once.
 */
export function ownAuthorRule(identity: () => Promise<string | undefined>, knownBotLogins: readonly string[] = []) {
  let own: Promise<string | undefined> | undefined;
  return async (comment: StickyComment): Promise<boolean> => {
    own ??= identity().catch(() => undefined);
    const login = await own;
    const author = comment.author;
    if (login !== undefined) return author?.login === login;
    if (!author) return false;
    return (
      author.type === 'Bot' || author.bot === true || knownBotLogins.includes(author.login ?? '') || /\[bot\]$/.test(author.login ?? '')
    );
  };
}
