import { mayHaveMoved, type RuntimeConnection } from './connection';
import { LabError, isLabError } from './errors';
import type { RuntimeClient } from './runtimeClient';
import { streamChat } from './streamChat';
import { estimatePromptTokens } from './tokenEstimate';
import type { ChatMessage, ChatRequest, ChatResult, ResolvedModel, StreamDelta } from './types';

export type ChatPhase = 'resolving' | 'loading' | 'waiting' | 'streaming';

export interface RunChatOptions {
  /** An alias (`phi-4-mini`) or a variant id. */
  model: string;
  /** The variant, when the caller resolved it already (skips resolution; repeated runs don't re-query the catalog). */
  resolved?: ResolvedModel;
  /** The messages, or a function that builds them (its time counts as prep in the timeline). */
  messages: ChatMessage[] | (() => ChatMessage[]);
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  signal?: AbortSignal;
  idleTimeoutMs?: number;
  onDelta?: (delta: StreamDelta) => void;
  onPhase?: (phase: ChatPhase, detail?: string) => void;
  /** Load the model first when it is not loaded (Foundry Local does not load on a chat request). Default true. */
  autoLoad?: boolean;
  apiKey?: string;
}

export interface RunChatOutcome {
  model?: ResolvedModel;
  result: ChatResult;
  /** Set when this call loaded the model: the load's duration. */
  loadMs?: number;
}

/**
 * One chat request as every feature makes it: resolve the alias to the variant, load it if needed, stream through
 * streamChat, survive a restart on a new port (one re-discovery), and fill in token counts when the runtime sent none.
 */
export async function runChat(conn: RuntimeConnection, opts: RunChatOptions): Promise<RunChatOutcome> {
  const phase = (p: ChatPhase, detail?: string) => {
    try {
      opts.onPhase?.(p, detail);
    } catch {
      /* UI callbacks must not break the request */
    }
  };
  let resolved: ResolvedModel | undefined;
  let loadMs: number | undefined;
  try {
    phase('resolving', opts.model);
    resolved = opts.resolved ?? (await conn.withRediscovery((c: RuntimeClient) => c.resolveModel(opts.model, { signal: opts.signal }), opts.signal));
    if (opts.autoLoad !== false) {
      const toLoad = resolved;
      phase('loading', toLoad.id);
      const loaded = await conn.withRediscovery((c: RuntimeClient) => c.ensureLoaded(toLoad, opts.signal), opts.signal);
      loadMs = loaded.loadMs;
    }
  } catch (e) {
    return { model: resolved, loadMs, result: failedResult(resolved?.id ?? opts.model, e) };
  }
  const model: ResolvedModel = resolved;

  let client: unknown = await conn.client(opts.signal).catch((e: unknown) => e);
  if (!isClient(client)) return { model, loadMs, result: failedResult(model.id, client) };

  let result = await attempt(client, model);
  if (result.error && result.timeline.headers === undefined && mayHaveMoved(result.error) && !opts.signal?.aborted) {
    // Refused before any byte: the service restarted on another port. Find it once more and retry.
    await conn.refresh(opts.signal).catch(() => undefined);
    const again: unknown = await conn.client(opts.signal).catch((e: unknown) => e);
    if (isClient(again)) {
      client = again;
      result = await attempt(again, model);
    }
  }
  // Not `else`: a service that restarted has forgotten its loaded models too.
  if (result.error?.code === 'model-not-loaded' && opts.autoLoad !== false && isClient(client)) {
    // The model was unloaded (TTL) between our check and the request.
    phase('loading', model.id);
    try {
      const t0 = performance.now();
      await client.loadModel(model.id, { signal: opts.signal });
      loadMs = performance.now() - t0;
      result = await attempt(client, model);
    } catch (e) {
      result.error = isLabError(e) ? e : result.error;
    }
  }
  if (!result.usage && (result.text || result.reasoning)) await fillTokenCounts(client as RuntimeClient, result, opts.signal);
  return { model, loadMs, result };

  async function attempt(c: RuntimeClient, m: ResolvedModel): Promise<ChatResult> {
    phase('waiting', m.id);
    let streaming = false;
    const start = performance.now();
    const messages = typeof opts.messages === 'function' ? opts.messages() : opts.messages;
    const req: ChatRequest = { model: m.id, messages, maxTokens: opts.maxTokens, temperature: opts.temperature, topP: opts.topP, seed: opts.seed };
    return streamChat(req, {
      baseUrl: c.endpoint.openaiBaseUrl,
      apiKey: opts.apiKey ?? conn.apiKeyFor(c.endpoint.serviceUrl),
      signal: opts.signal,
      idleTimeoutMs: opts.idleTimeoutMs,
      start,
      onDelta: (d) => {
        if (!streaming) {
          streaming = true;
          phase('streaming', m.id);
        }
        opts.onDelta?.(d);
      },
    });
  }

  async function fillTokenCounts(c: RuntimeClient, r: ChatResult, signal?: AbortSignal): Promise<void> {
    const messages = typeof opts.messages === 'function' ? opts.messages() : opts.messages;
    const counted = await c.countTokens({ model: r.model, messages }, signal).catch(() => undefined);
    // One token per token-carrying chunk is what local runtimes send; still an estimate, and labelled so.
    const completion = r.timeline.tokenChunks.length;
    const prompt = counted ?? estimatePromptTokens(messages);
    r.usage = { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
    r.tokenSource = 'estimated';
  }
}

function isClient(c: unknown): c is RuntimeClient {
  return !!c && typeof c === 'object' && 'endpoint' in (c as object) && typeof (c as RuntimeClient).resolveModel === 'function';
}

/** A result for a request that failed before streaming began. */
export function failedResult(model: string, e: unknown): ChatResult {
  const now = performance.now();
  const error = isLabError(e) ? e : new LabError('server-error', e instanceof Error ? e.message : String(e));
  return { model, text: '', reasoning: '', timeline: { start: now, done: now, tokenChunks: [] }, error, emulated: false, chunkCount: 0 };
}
