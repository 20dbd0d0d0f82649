/**
 * Errors a user can act on. Every failure that reaches a feature is a LabError with a code; the editor and the
 * CLI map codes to messages and actions in one place each (src/vscode/errorActions.ts, src/cli/output.ts).
 */
export type LabErrorCode =
  | 'not-installed' // no endpoint configured and no `foundry` CLI found
  | 'not-running' // the CLI says the service is stopped, or the endpoint refuses connections
  | 'unreachable' // host unknown, network error other than a refusal, TLS error
  | 'model-not-found' // the runtime does not know the model (alias or id)
  | 'model-not-cached' // known but not downloaded
  | 'model-not-loaded' // known but not loaded in memory
  | 'context-too-long' // prompt + max_tokens over the model's context length
  | 'timeout' // no answer (headers) in time
  | 'idle-timeout' // the stream stalled: no bytes for the idle timeout
  | 'malformed-stream' // an SSE line that is not JSON, or a chunk of the wrong shape
  | 'stream-broken' // the connection dropped before [DONE]
  | 'server-error' // HTTP 5xx or an error event in the stream
  | 'unauthorized' // HTTP 401/403: the endpoint wants an API key (or another one)
  | 'bad-request' // HTTP 4xx not covered above
  | 'aborted' // the user cancelled
  | 'invalid-endpoint' // the configured URL is not an http(s) URL
  | 'index-failed'; // the workspace index could not be built or read

export class LabError extends Error {
  override readonly name = 'LabError';
  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly detail?: { status?: number; body?: string; url?: string; cause?: string },
  ) {
    super(message);
  }
}

export function isLabError(e: unknown): e is LabError {
  return e instanceof LabError;
}

/** True when a Node/undici error (possibly wrapped in `cause`) is a refused connection. */
export function isConnectionRefused(e: unknown): boolean {
  for (let cur: any = e, depth = 0; cur && depth < 5; cur = cur.cause, depth++) {
    if (cur.code === 'ECONNREFUSED') return true;
    if (Array.isArray(cur.errors) && cur.errors.some((x: any) => x?.code === 'ECONNREFUSED')) return true;
  }
  return false;
}

export function isAbortError(e: unknown): boolean {
  return !!e && typeof e === 'object' && ((e as any).name === 'AbortError' || (e as any).code === 'ABORT_ERR');
}

/** Turns a fetch failure into a LabError (never loses the original text). */
export function networkError(e: unknown, url: string): LabError {
  if (isLabError(e)) return e;
  if (isAbortError(e)) return new LabError('aborted', 'Cancelled.', { url });
  const cause = describeCause(e);
  if (isConnectionRefused(e)) {
    return new LabError('not-running', `Nothing is listening at ${originOf(url)} — the runtime is not running or moved to another port.`, { url, cause });
  }
  return new LabError('unreachable', `Cannot reach ${originOf(url)}: ${cause}`, { url, cause });
}

function describeCause(e: unknown): string {
  const parts: string[] = [];
  for (let cur: any = e, depth = 0; cur && depth < 5; cur = cur.cause, depth++) {
    const text = cur.code ? `${cur.code}${cur.message ? ` ${cur.message}` : ''}` : String(cur.message ?? cur);
    if (text && !parts.includes(text)) parts.push(text);
  }
  return parts.join(' ← ') || 'unknown error';
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

const CONTEXT_RE = /requires\s+(\d+)\s+total tokens\s*\((\d+)\s+input\s*\+\s*(\d+)\s+output\).*?maximum context length of\s+(\d+)/is;

/**
 * Maps an HTTP error answer (status + body text) to a LabError. Understands the OpenAI-shaped
 * `{"error": {"message", "type"}}` of Foundry Local G2/G3 and the plain-text errors of G1.
 */
export function httpError(status: number, body: string, url: string, model?: string): LabError {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body);
    const m = parsed?.error?.message ?? parsed?.message ?? parsed?.error ?? parsed?.detail;
    if (typeof m === 'string') message = m;
  } catch {
    /* plain text body */
  }
  if (message.length > 500) message = message.slice(0, 500) + '…';
  const detail = { status, body: body.slice(0, 2000), url };
  const ctx = CONTEXT_RE.exec(message);
  if (ctx || /maximum context length|context length exceeded|context_length_exceeded/i.test(message)) {
    const text = ctx
      ? `The request needs ${ctx[1]} tokens (${ctx[2]} input + ${ctx[3]} output) but the model's context is ${ctx[4]} tokens — shorten the input or lower max tokens.`
      : `The request is longer than the model's context — shorten the input or lower max tokens. (${message})`;
    return new LabError('context-too-long', text, detail);
  }
  if (status === 401 || status === 403) {
    // An OpenAI-compatible server behind a key (vLLM --api-key, LM Studio with auth, a gateway).
    return new LabError('unauthorized', `The endpoint refused the request without a valid API key (HTTP ${status}${message ? `: ${message}` : ''}) — set the endpoint's API key.`, detail);
  }
  const who = model ? `'${model}'` : 'The model';
  if (/not loaded|must be loaded/i.test(message)) {
    return new LabError('model-not-loaded', `${who} is not loaded — load it first (Foundry Local does not load models on a chat request).`, detail);
  }
  if (/No OpenAIService provider found/i.test(message)) {
    // Foundry Local ≤ 0.8 says this for a model that is not loaded and for one that is not downloaded alike.
    return new LabError('model-not-loaded', `${who} is not loaded (or not downloaded) in Foundry Local — load it first, or download it with \`foundry model download\`.`, detail);
  }
  if (/not cached|has not been downloaded/i.test(message)) {
    return new LabError('model-not-cached', `${who} is not downloaded — download it with \`foundry model download ${model ?? '<model>'}\`.`, detail);
  }
  if (status === 404 && /model/i.test(message)) {
    return new LabError('model-not-found', `${who} is not known to the runtime (${message}). Check the name with \`foundry-lab status\` or the model list.`, detail);
  }
  if (status >= 500) return new LabError('server-error', `The runtime failed (HTTP ${status}): ${message || 'no details'}`, detail);
  return new LabError('bad-request', `The runtime rejected the request (HTTP ${status}): ${message || 'no details'}`, detail);
}
