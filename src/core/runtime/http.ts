import { httpError, LabError, networkError } from './errors';

export const EMULATOR_HEADER = 'x-foundry-lab-emulator';

export interface HttpOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  /** Ends the request (headers and body) after this long. 0 = no limit (loads and downloads take minutes). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** For error messages that name the model. */
  model?: string;
  /** Sent as `Authorization: Bearer …` (remote OpenAI-compatible servers); never logged. */
  apiKey?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** The request headers for opts: JSON content type when there is a body, the bearer token, then opts.headers. */
export function requestHeaders(opts: HttpOptions, json: boolean): Record<string, string> | undefined {
  const h: Record<string, string> = {};
  if (json) h['content-type'] = 'application/json';
  if (opts.apiKey) h.authorization = `Bearer ${opts.apiKey}`;
  Object.assign(h, opts.headers);
  return Object.keys(h).length ? h : undefined;
}

/**
 * A fetch that adds `Authorization: Bearer <key>` to requests under a service URL that has a key (`keyFor` is given
 * the service URLs' prefix match); a key is never sent to any other URL, and a request's own Authorization wins.
 */
export function fetchWithApiKeys(keyFor: (url: string) => string | undefined, base?: typeof fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const key = keyFor(url);
    if (!key) return (base ?? fetch)(input, init);
    const headers = new Headers(init?.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
    return (base ?? fetch)(input, { ...init, headers });
  };
}

export interface HttpText {
  status: number;
  text: string;
  emulated: boolean;
}

/**
 * One management-API request: the answer's text, or a LabError a user can act on. Never a raw exception.
 * A GET that fails on a socket closed before any answer is sent once more: after a restart of the service, pooled
 * keep-alive connections to the old process fail this way, and only the retry (refused, on a new connection) tells
 * the caller that the service moved.
 */
export async function requestText(url: string, opts: HttpOptions = {}): Promise<HttpText> {
  try {
    return await requestTextOnce(url, opts);
  } catch (e) {
    if ((opts.method ?? 'GET') !== 'GET' || !(e instanceof LabError) || e.code !== 'unreachable' || !isStaleSocket(e.detail?.cause) || opts.signal?.aborted) throw e;
    return requestTextOnce(url, opts);
  }
}

function isStaleSocket(cause: string | undefined): boolean {
  return !!cause && /UND_ERR_SOCKET|ECONNRESET|EPIPE|UND_ERR_CLOSED|other side closed/.test(cause);
}

async function requestTextOnce(url: string, opts: HttpOptions): Promise<HttpText> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort();
  if (opts.signal?.aborted) controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, opts.timeoutMs)
    : undefined;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: opts.method ?? 'GET',
      headers: requestHeaders(opts, opts.body !== undefined),
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: controller.signal,
    });
    const text = await res.text();
    return { status: res.status, text, emulated: res.headers.has(EMULATOR_HEADER) };
  } catch (e) {
    if (timedOut) throw new LabError('timeout', `${new URL(url).origin} did not answer in ${Math.round((opts.timeoutMs ?? 0) / 1000)} s.`, { url });
    throw networkError(e, url);
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** GET/POST returning parsed JSON; HTTP errors become LabErrors via httpError. */
export async function requestJson<T = unknown>(url: string, opts: HttpOptions = {}): Promise<{ data: T; emulated: boolean; status: number }> {
  const r = await requestText(url, opts);
  if (r.status < 200 || r.status >= 300) throw httpError(r.status, r.text, url, opts.model);
  if (!r.text.trim()) return { data: undefined as T, emulated: r.emulated, status: r.status };
  try {
    return { data: JSON.parse(r.text) as T, emulated: r.emulated, status: r.status };
  } catch {
    throw new LabError('malformed-stream', `${new URL(url).pathname} answered with something that is not JSON: ${r.text.slice(0, 120)}`, { url, status: r.status, body: r.text.slice(0, 2000) });
  }
}

/** Reads a streamed text body chunk by chunk (downloads report progress this way). */
export async function requestStream(url: string, opts: HttpOptions & { onText: (chunk: string) => void }): Promise<number> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: opts.method ?? 'POST',
      headers: requestHeaders(opts, true),
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: controller.signal,
    });
    if (!res.ok) throw httpError(res.status, await res.text(), url, opts.model);
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) opts.onText(decoder.decode(chunk, { stream: true }));
    return res.status;
  } catch (e) {
    throw networkError(e, url);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
