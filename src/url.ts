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
