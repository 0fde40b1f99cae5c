// Bearer authentication from a variable. The token is only ever put in a request header: never in
// a log line, a tag, a check name or an error message, because those end up in CI logs and reports.
import { envVar } from './config.ts';

/** AUTH_TOKEN, when set; `Bearer ` in front of it is accepted and dropped. */
export function authToken(): string | undefined {
  return envVar('AUTH_TOKEN')?.replace(/^Bearer\s+/i, '');
}

/** Headers carrying the token (the given one, else AUTH_TOKEN); empty when there is none. */
export function bearerHeaders(token: string | undefined = authToken()): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
