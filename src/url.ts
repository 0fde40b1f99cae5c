// URLs as they may be shown: credentials in a target URL are secrets.

/** `https://user:pass@host/` → `https://host/`: what reports and logs may show of a target. */
export function withoutCredentials(target: string): string {
  try {
    const url = new URL(target);
    if (!url.username && !url.password) return target;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return target;
  }
}

/** Splits `https://user:pass@host/x` into a fetchable URL and a Basic Authorization header. */
export function splitCredentials(target: string): { url: string; authorization?: string } {
  const url = new URL(target);
  if (!url.username && !url.password) return { url: target };
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** Describes a failed fetch in the words a person needs (DNS, refused, TLS, timeout). */
export function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer before the request time limit';
  const cause = err?.cause;
  const code = cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code}): the host name does not resolve`;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on that port)';
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return `TLS error (${code}): ${cause?.message ?? ''}`.trim();
  if (cause?.message) return code ? `${cause.message} (${code})` : cause.message;
  return err?.message ?? String(error);
}
