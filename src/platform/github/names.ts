// The names one job (and matrix entry) gets: its sticky comment's id and its artifact's name, so
// matrix jobs never overwrite each other. Apart from context.ts, which the CLI loads at start-up,
// because the hash is only needed when the action publishes.
import { createHash } from 'node:crypto';
import type { GitHubRunContext } from './context.js';

/**
 * A short, stable word for the matrix entry (`toJSON(matrix)`): its values joined when that stays
 * readable, a hash otherwise. Undefined outside a matrix.
 */
export function matrixSuffix(matrixJson: string | undefined): string | undefined {
  const text = matrixJson?.trim();
  if (!text || text === 'null' || text === '{}') return undefined;
  let values: unknown[];
  try {
    const data: unknown = JSON.parse(text);
    values = typeof data === 'object' && data !== null ? Object.values(data) : [data];
  } catch {
    values = [text];
  }
  const scalar = values.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
  const joined = values
    .map(String)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
  if (scalar && joined.length > 0 && joined.length <= 40) return joined;
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** Sticky-comment id: one comment per workflow job and matrix entry, so matrix jobs never overwrite each other. */
export function defaultCommentId(ctx: GitHubRunContext, matrixJson?: string): string {
  const parts = [ctx.workflow ?? 'workflow', ctx.job ?? 'job'];
  const matrix = matrixSuffix(matrixJson);
  if (matrix) parts.push(matrix);
  return parts.join('/');
}

/** Artifact names must be unique in a run and cannot hold `":<>|*?\/` or line breaks. */
export function defaultArtifactName(ctx: GitHubRunContext, matrixJson?: string): string {
  const parts = ['k6-gate', ctx.job ?? 'results'];
  const matrix = matrixSuffix(matrixJson);
  if (matrix) parts.push(matrix);
  return sanitizeArtifactName(parts.join('-'));
}

export function sanitizeArtifactName(name: string): string {
  return name.replace(/[":<>|*?\\/\r\n]+/g, '_');
}
