// One HTTP exchange with the server: builds the URL under the API path, adds the token, and turns
// every failure into a DatafilesError (or the caller's abort reason), never a bare fetch error.
import { errorFromResponse, networkError } from './errors.js';
import { abortReason } from './retry.js';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under the API path, starting with "/" (or "" for the API root). */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  body?: BodyInit;
  /**
   * Node only: `body` is bytes to send as they are. fetch copies a buffer body, and copies every
   * chunk again to keep the body for a redirect; these bytes go out as a one-chunk stream and a
   * redirect is refused (a part's PUT cannot be redirected with its body anyway, being a stream),
   * so neither copy is made; its Content-Length is sent (docs/decisions.md 173).
   */
  bytesAsStream?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Names the operation in network-error messages ("uploadPart 3"). */
  what: string;
}

export interface TransportOptions {
  /** The server's origin and any prefix, e.g. "https://files.example.com"; "" for the page's own origin. */
  baseUrl: string;
  /** The API's path on it; Domo's by default. */
  apiPath?: string;
  /**
   * Sent as `Authorization: Bearer …` (docs/decisions.md 20). Leave out to rely on a cookie, which the
   * server accepts for reads only (GET, HEAD): uploads, deletes and permission changes need a token.
   */
  token?: string;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** The fetch to use (globalThis.fetch by default). */
  fetch?: typeof fetch;
  /** fetch's `credentials` (browsers): "include" sends the server's cookie across origins. */
  credentials?: RequestCredentials;
}

export const DEFAULT_API_PATH = '/domo/data-files/v1';

export type Send = (spec: RequestSpec) => Promise<Response>;

export function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    // docs/decisions.md 5: list filters are comma-separated.
    params.append(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function createTransport(options: TransportOptions): { send: Send; url: (path: string, query?: Record<string, QueryValue>) => string } {
  const base = options.baseUrl.replace(/\/+$/, '') + (options.apiPath ?? DEFAULT_API_PATH).replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const url = (path: string, query?: Record<string, QueryValue>) => `${base}${path}${queryString(query)}`;

  async function send(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...spec.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body = spec.body;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    let direct = {};
    if (spec.bytesAsStream && body instanceof Uint8Array) {
      // Declared, as a buffer body's would be: a stream alone goes out chunked, and the server
      // then cannot refuse an oversized part, or a full quota, before reading it. Node's fetch
      // checks that the stream sends exactly this many bytes.
      headers['content-length'] = String(body.byteLength);
      body = oneChunkStream(body);
      direct = { duplex: 'half', redirect: 'error', window: null };
    }
    let response: Response;
    try {
      response = await fetchImpl(url(spec.path, spec.query), {
        method: spec.method,
        headers,
        body,
        signal: spec.signal,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...direct,
      });
    } catch (error) {
      if (spec.signal?.aborted) throw abortReason(spec.signal);
      throw networkError(error, spec.what);
    }
    if (response.ok || response.status === 304) return response;
    throw await errorFromResponse(response);
  }

  return { send, url };
}

/** A stream of `bytes` as one chunk, not copied (a default stream does not transfer its chunks). */
function oneChunkStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The JSON body of a successful answer. */
export async function readJson<T>(response: Response, what: string, signal?: AbortSignal): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw networkError(error, `${what} (reading the answer)`);
  }
}

/** Reads and drops an answer's body (so the connection can be reused). */
export async function drain(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}
