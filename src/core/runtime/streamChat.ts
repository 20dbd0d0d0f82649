import { LabError, httpError, isAbortError, networkError } from './errors';
import { ReasoningSplitter } from './reasoning';
import { SseParser } from './sse';
import type { Timeline, Usage } from './timeline';
import type { ChatRequest, ChatResult, StreamDelta } from './types';

export interface StreamChatOptions {
  /** The OpenAI-compatible base URL (Endpoint.openaiBaseUrl), e.g. `http://127.0.0.1:53483/v1`. */
  baseUrl: string;
  /** Ignored by Foundry Local; sent as a bearer token when given (remote OpenAI-compatible servers). */
  apiKey?: string;
  signal?: AbortSignal;
  /** No bytes for this long (before or during the stream) ends the request. Default 10 minutes: cold loads are slow. */
  idleTimeoutMs?: number;
  onDelta?: (delta: StreamDelta) => void;
  fetch?: typeof fetch;
  /** Timeline start when the caller began building the messages earlier (prep time). */
  start?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;

/**
 * THE streaming primitive: every feature that talks to a model goes through here, so every model is measured by
 * the same harness. Streams one chat completion, records the timeline, keeps reasoning apart from the answer, and
 * never rejects: a failure is returned in `result.error` with whatever had streamed before it.
 */
export async function streamChat(req: ChatRequest, opts: StreamChatOptions): Promise<ChatResult> {
  const timeline: Timeline = { start: opts.start ?? performance.now(), tokenChunks: [] };
  const result: ChatResult = { model: req.model, text: '', reasoning: '', timeline, emulated: false, chunkCount: 0 };
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const fetchImpl = opts.fetch ?? fetch;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;

  const controller = new AbortController();
  let stopReason: 'user' | 'idle' | undefined;
  const onUserAbort = () => {
    stopReason ??= 'user';
    controller.abort();
  };
  if (opts.signal?.aborted) onUserAbort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      stopReason ??= 'idle';
      controller.abort();
    }, idleMs);
  };

  const splitter = new ReasoningSplitter();
  /**
   * Takes the text of one SSE event (`generated`: the model sent something, even if only reasoning markup — Harmony
   * channel tags are generated tokens, so they count for timing though never shown), or, with generated undefined,
   * text the splitter held back at a chunk edge (already timed when its event arrived).
   */
  const deliver = (answer: string, reasoning: string, at: number, generated?: boolean) => {
    if (generated || (generated === false && (answer || reasoning))) {
      timeline.tokenChunks.push(at);
      timeline.firstToken ??= at;
    }
    if (!answer && !reasoning) return;
    timeline.firstToken ??= at;
    if (answer) timeline.firstAnswerToken ??= at;
    result.text += answer;
    result.reasoning += reasoning;
    if (opts.onDelta) {
      try {
        opts.onDelta({ answer, reasoning, at });
      } catch {
        // A failing consumer must not break the measurement or the stream.
      }
    }
  };

  const failure = (e: unknown): LabError => {
    if (stopReason === 'user') return new LabError('aborted', 'Cancelled.', { url });
    if (stopReason === 'idle') {
      // Sub-second and short timeouts keep a decimal ("0.4 s", not "0 s").
      const secs = idleMs >= 10000 ? Math.round(idleMs / 1000) : Math.round(idleMs / 100) / 10;
      return timeline.headers === undefined
        ? new LabError('timeout', `No answer from the runtime in ${secs} s — it may still be loading the model; try again or raise the idle timeout.`, { url })
        : new LabError('idle-timeout', `The stream stalled: no data for ${secs} s. What arrived before is kept.`, { url });
    }
    if (timeline.headers !== undefined && !isAbortError(e)) {
      return new LabError('stream-broken', `The connection dropped in the middle of the answer (${describe(e)}). What arrived before is kept.`, { url, cause: describe(e) });
    }
    return networkError(e, url);
  };

  const body = JSON.stringify(requestBody(req));
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;

  try {
    armIdle();
    timeline.sent = performance.now();
    let res: Response;
    try {
      res = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal });
    } catch (e) {
      // A kept-alive socket to a service that has since restarted fails before any byte; the service never saw the
      // request, so one retry on a fresh connection is safe (and a refusal then says "not running" as it should).
      if (stopReason || !isStaleSocket(e)) throw e;
      timeline.sent = performance.now();
      res = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal });
    }
    timeline.headers = performance.now();
    armIdle();
    result.emulated = res.headers.has('x-foundry-lab-emulator');
    if (!res.ok) {
      result.error = httpError(res.status, await res.text(), url, req.model);
      return result;
    }
    if (!/event-stream/i.test(res.headers.get('content-type') ?? '') || !res.body) {
      // A server that ignores `stream: true` answers with one JSON completion: still measure it.
      readWholeCompletion(await res.text(), result, splitter, deliver, url, req.model);
      return result;
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let sawDone = false;
    const reader = res.body.getReader();
    try {
      outer: for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        armIdle();
        const at = performance.now();
        for (const event of parser.push(decoder.decode(value, { stream: true }))) {
          if (handleEvent(event.data, at)) {
            sawDone = true;
            break outer;
          }
          if (result.error) break outer;
        }
      }
      if (!sawDone && !result.error) {
        const at = performance.now();
        for (const event of parser.end()) if (handleEvent(event.data, at)) sawDone = true;
      }
    } finally {
      // Stops the server's generation when we leave early ([DONE] excepted, the body is finished then).
      reader.cancel().catch(() => undefined);
    }
    const tail = splitter.finish();
    deliver(tail.answer, tail.reasoning, performance.now());
    if (!sawDone && !result.error && result.finishReason === undefined) {
      result.error = new LabError('stream-broken', 'The stream ended before the runtime said it was done. What arrived before is kept.', { url });
    }
  } catch (e) {
    const tail = splitter.finish();
    deliver(tail.answer, tail.reasoning, performance.now());
    result.error = failure(e);
  } finally {
    timeline.done = performance.now();
    if (idleTimer) clearTimeout(idleTimer);
    opts.signal?.removeEventListener('abort', onUserAbort);
    if (result.error) controller.abort(); // make sure nothing keeps the socket (and the GPU) busy
  }
  return result;

  /** Handles one SSE data payload; returns true on [DONE]. */
  function handleEvent(data: string, at: number): boolean {
    if (data.trim() === '[DONE]') return true;
    let chunk: any;
    try {
      chunk = JSON.parse(data);
    } catch {
      result.error = new LabError('malformed-stream', `The runtime sent a line that is not JSON: ${truncate(data, 120)}`, { url, body: truncate(data, 2000) });
      return false;
    }
    result.chunkCount++;
    timeline.firstChunk ??= at;
    if (chunk && typeof chunk === 'object' && chunk.error) {
      const mapped = httpError(500, JSON.stringify(chunk), url, req.model);
      result.error = new LabError(mapped.code, `${mapped.message} (reported during the stream)`, mapped.detail);
      return false;
    }
    const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
    // G1 chunks repeat the text in `message` as well as `delta`: read `delta` only.
    const delta = choice?.delta;
    if (delta && typeof delta === 'object') {
      const field = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
      const split = typeof delta.content === 'string' ? splitter.push(delta.content) : { answer: '', reasoning: '' };
      deliver(split.answer, field + split.reasoning, at, !!field || (typeof delta.content === 'string' && delta.content !== ''));
    }
    if (typeof choice?.finish_reason === 'string') result.finishReason = choice.finish_reason;
    const usage = parseUsage(chunk?.usage);
    if (usage) {
      result.usage = usage;
      result.tokenSource = 'usage';
    }
    return false;
  }
}

function requestBody(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: String(m.content) })),
    stream: true,
    // Without this most runtimes send no token counts while streaming.
    stream_options: { include_usage: true },
  };
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.stop?.length) body.stop = req.stop;
  return body;
}

export function parseUsage(u: any): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const prompt = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const usage: Usage = {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    totalTokens: num(u.total_tokens) ?? (prompt ?? 0) + (completion ?? 0),
  };
  const reasoning = num(u.completion_tokens_details?.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function readWholeCompletion(
  text: string,
  result: ChatResult,
  splitter: ReasoningSplitter,
  deliver: (a: string, r: string, at: number, generated?: boolean) => void,
  url: string,
  model: string,
): void {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    result.error = new LabError('malformed-stream', `The runtime answered with something that is neither a stream nor JSON: ${truncate(text, 120)}`, { url, body: truncate(text, 2000) });
    return;
  }
  if (body?.error) {
    result.error = httpError(500, text, url, model);
    return;
  }
  const at = performance.now();
  result.chunkCount = 1;
  result.timeline.firstChunk = at;
  const message = body?.choices?.[0]?.message ?? {};
  const field = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
  const split = typeof message.content === 'string' ? splitter.push(message.content) : { answer: '', reasoning: '' };
  const tail = splitter.finish();
  deliver(split.answer + tail.answer, field + split.reasoning + tail.reasoning, at, !!(field || message.content));
  if (typeof body?.choices?.[0]?.finish_reason === 'string') result.finishReason = body.choices[0].finish_reason;
  const usage = parseUsage(body?.usage);
  if (usage) {
    result.usage = usage;
    result.tokenSource = 'usage';
  }
}

/** undici's "other side closed" / reset on a reused connection, before any response. */
function isStaleSocket(e: unknown): boolean {
  for (let cur: any = e, depth = 0; cur && depth < 5; cur = cur.cause, depth++) {
    if (cur.code === 'UND_ERR_SOCKET' || cur.code === 'ECONNRESET') return true;
  }
  return false;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function describe(e: unknown): string {
  const cause: any = (e as any)?.cause;
  return String(cause?.code ?? cause?.message ?? (e as any)?.message ?? e);
}
