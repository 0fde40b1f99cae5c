// Per-endpoint breakdown and error mix, built from the tags of k6's HTTP samples.
//
// k6 reports a submetric only when a threshold names it; this keeps one small record per endpoint
// instead, without any threshold in the script. An endpoint is the `name` tag when the script set
// one; k6 otherwise sets `name` to the URL, which the method and the URL with IDs collapsed
// (`/orders/123` → `/orders/{id}`) replace so the list stays short.
//
// Bounded: at most `maxEndpoints` endpoints (later ones count under OTHER_ENDPOINT) and
// `maxErrorKinds` status/error-code pairs per endpoint.
import { TrendAccumulator } from './histogram.js';

export const OTHER_ENDPOINT = '(other endpoints)';

export interface BreakdownOptions {
  /** Distinct endpoints kept; default 200. */
  maxEndpoints?: number;
  /** Distinct status/error-code pairs kept per endpoint; default 20. */
  maxErrorKinds?: number;
  /** Trend accumulator precision, as in TrendOptions. */
  exactLimit?: number;
  relativeError?: number;
}

export interface ErrorKind {
  status: string;
  /** k6's `error_code` tag, when k6 set one (e.g. 1211 for a timeout). */
  errorCode?: string;
  count: number;
  /** Time of the first failed request of this kind (ms since the epoch). */
  firstAt: number;
}

export interface EndpointState {
  endpoint: string;
  method?: string;
  duration: TrendAccumulator;
  requests: number;
  failed: number;
  errors: Map<string, ErrorKind>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_HEX = /^(?=.*\d)[0-9a-f]{16,}$/i;
const NUMERIC = /^\d+$/;

/** `http://host/orders/123?x=1` → `/orders/{id}`: numbers, UUIDs and long hex strings become `{id}`. */
export function collapseUrl(url: string): string {
  let pathname = url;
  const scheme = url.indexOf('://');
  if (scheme !== -1) {
    const slash = url.indexOf('/', scheme + 3);
    pathname = slash === -1 ? '/' : url.slice(slash);
  }
  const query = pathname.search(/[?#]/);
  if (query !== -1) pathname = pathname.slice(0, query);
  return pathname
    .split('/')
    .map((part) => (NUMERIC.test(part) || UUID.test(part) || LONG_HEX.test(part) ? '{id}' : part))
    .join('/');
}

/** The endpoint a request counts under: its `name` tag unless k6 just copied the URL there. */
export function endpointName(tags: Record<string, string>): string {
  const method = tags.method;
  const name = tags.name;
  if (name !== undefined && name !== '' && name !== tags.url) return name;
  const url = tags.url ?? name ?? '';
  return `${method ? `${method} ` : ''}${collapseUrl(url)}`;
}

export class EndpointBreakdown {
  readonly endpoints = new Map<string, EndpointState>();
  private readonly maxEndpoints: number;
  private readonly maxErrorKinds: number;

  constructor(private readonly options: BreakdownOptions = {}) {
    this.maxEndpoints = options.maxEndpoints ?? 200;
    this.maxErrorKinds = options.maxErrorKinds ?? 20;
  }

  /** The metrics whose Points this breakdown reads (their tags are parsed only then). */
  static wants(metric: string): boolean {
    return metric === 'http_req_duration' || metric === 'http_req_failed';
  }

  private endpoint(tags: Record<string, string>): EndpointState {
    let name = endpointName(tags);
    let state = this.endpoints.get(name);
    if (state) return state;
    if (this.endpoints.size >= this.maxEndpoints) {
      name = OTHER_ENDPOINT;
      state = this.endpoints.get(name);
      if (state) return state;
    }
    state = {
      endpoint: name,
      method: name === OTHER_ENDPOINT ? undefined : tags.method,
      duration: new TrendAccumulator({ exactLimit: this.options.exactLimit, relativeError: this.options.relativeError }),
      requests: 0,
      failed: 0,
      errors: new Map(),
    };
    this.endpoints.set(name, state);
    return state;
  }

  /**
   * One tag set of HTTP requests already summed by k6 (its remote-write output): `count` requests
   * whose durations are `duration`, `failed` of them failed, first seen at `firstAt`.
   */
  requests(
    tags: Record<string, string>,
    count: number,
    failed: number,
    firstAt: number,
    duration: (accumulator: TrendAccumulator) => void,
  ): void {
    const state = this.endpoint(tags);
    state.requests += count;
    duration(state.duration);
    if (failed > 0) this.failure(state, tags, failed, firstAt);
  }

  private failure(state: EndpointState, tags: Record<string, string>, times: number, at: number): void {
    state.failed += times;
    const status = tags.status ?? '0';
    const key = `${status}\u0000${tags.error_code ?? ''}`;
    const kind = state.errors.get(key);
    if (kind) {
      kind.count += times;
      if (at < kind.firstAt) kind.firstAt = at;
    } else if (state.errors.size < this.maxErrorKinds) {
      state.errors.set(key, { status, errorCode: tags.error_code, count: times, firstAt: at });
    }
  }

  point(metric: string, value: number, at: number, tags: Record<string, string>): void {
    const state = this.endpoint(tags);
    if (metric === 'http_req_duration') {
      state.requests++;
      state.duration.add(value);
      return;
    }
    // http_req_failed: 1 = the request failed (status outside expected_response, or no response).
    if (value === 0) return;
    this.failure(state, tags, 1, at);
  }
}
