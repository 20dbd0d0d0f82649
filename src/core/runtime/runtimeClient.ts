import type { Logger } from '../log';
import { silentLogger } from '../log';
import { isLabError, LabError } from './errors';
import { requestJson, requestStream, requestText } from './http';
import { aliasFromId, deviceFromId, resolveModelName, sameModelId } from './modelResolver';
import type { ChatRequest, DeviceType, Endpoint, ModelVariant, ResolvedModel, RuntimeKind } from './types';

export interface RuntimeClientOptions {
  fetch?: typeof fetch;
  log?: Logger;
  /**
   * Time limit for management calls (not loads or downloads, which take minutes). Default 10 s, and 30–60 s for the
   * model lists (G1's /foundry/list fetches the online catalog).
   */
  requestTimeoutMs?: number;
  /** Sent as `Authorization: Bearer …` on every management request (remote endpoints); never logged. */
  apiKey?: string;
}

const CATALOG_TTL_MS = 30_000;

/**
 * Foundry Local's management API, whichever generation answers, and plain OpenAI-compatible servers:
 * G1 (≤ 0.8) `/foundry/list`, `/openai/*`; G2 (0.10, SDK 1.x) `/models/*`; G3 (0.11, SDK 2.x) also `/status`.
 */
export class RuntimeClient {
  private runtime?: Promise<RuntimeKind>;
  private emulated = false;
  private catalog?: { at: number; models: Promise<ModelVariant[]> };
  private readonly log: Logger;

  constructor(
    readonly endpoint: Endpoint,
    private readonly opts: RuntimeClientOptions = {},
  ) {
    this.log = opts.log ?? silentLogger;
  }

  /** The bearer token for this endpoint, when one was given (chat requests send it too). */
  get apiKey(): string | undefined {
    return this.opts.apiKey;
  }

  private url(path: string): string {
    return this.endpoint.serviceUrl + path;
  }

  private get quick(): number {
    return this.opts.requestTimeoutMs ?? 10_000;
  }

  private async getJson<T>(path: string, signal?: AbortSignal, timeoutMs = this.quick, model?: string): Promise<T> {
    const r = await requestJson<T>(this.url(path), { signal, timeoutMs, fetch: this.opts.fetch, apiKey: this.opts.apiKey, model });
    if (r.emulated) this.emulated = true;
    return r.data;
  }

  /** Probes which generation answers; cached for this client (a restart makes a new client). */
  detectRuntime(signal?: AbortSignal): Promise<RuntimeKind> {
    this.runtime ??= this.probe(signal).catch((e) => {
      this.runtime = undefined;
      throw e;
    });
    return this.runtime;
  }

  private async probe(signal?: AbortSignal): Promise<RuntimeKind> {
    const answer = async (path: string) => {
      try {
        const r = await requestText(this.url(path), { signal, timeoutMs: this.quick, fetch: this.opts.fetch, apiKey: this.opts.apiKey });
        if (r.emulated) this.emulated = true;
        if (r.status !== 200) return undefined;
        try {
          return JSON.parse(r.text) as unknown;
        } catch {
          return undefined;
        }
      } catch (e) {
        if (isLabError(e) && (e.code === 'aborted' || e.code === 'not-running')) throw e;
        return undefined;
      }
    };
    const [g1, g3, g2] = await Promise.all([answer('/openai/status'), answer('/status'), answer('/models/loaded')]);
    let kind: RuntimeKind = 'openai-compatible';
    if (g1 && typeof g1 === 'object') kind = 'foundry-g1';
    else if (g3 && typeof g3 === 'object' && !Array.isArray(g3) && ('endpoints' in g3 || 'modelCachePath' in g3)) kind = 'foundry-g3';
    else if (Array.isArray(g2)) kind = 'foundry-g2';
    this.log.info(`runtime at ${this.endpoint.serviceUrl}: ${kind}${this.emulated ? ' (emulator)' : ''}`);
    return kind;
  }

  async isEmulated(signal?: AbortSignal): Promise<boolean> {
    await this.detectRuntime(signal);
    return this.emulated;
  }

  /** Every variant the runtime offers, in its order of preference. */
  listModels(signal?: AbortSignal): Promise<ModelVariant[]> {
    if (this.catalog && Date.now() - this.catalog.at < CATALOG_TTL_MS) return this.catalog.models;
    const models = this.fetchModels(signal);
    this.catalog = { at: Date.now(), models };
    models.catch(() => (this.catalog = undefined));
    return models;
  }

  private async fetchModels(signal?: AbortSignal): Promise<ModelVariant[]> {
    const kind = await this.detectRuntime(signal);
    if (kind === 'foundry-g1') {
      const [list, cached] = await Promise.all([
        this.getJson<any[]>('/foundry/list', signal, this.opts.requestTimeoutMs ?? 60_000),
        this.getJson<string[]>('/openai/models', signal).catch(() => undefined),
      ]);
      if (!Array.isArray(list)) throw new LabError('malformed-stream', '/foundry/list did not answer with a list.');
      return list
        .filter((m) => m && typeof m.name === 'string')
        .map((m) => ({
          id: m.name,
          alias: typeof m.alias === 'string' ? m.alias : aliasFromId(m.name),
          device: normalizeDevice(m.runtime?.deviceType) ?? deviceFromId(m.name),
          executionProvider: m.runtime?.executionProvider,
          fileSizeMb: num(m.fileSizeMb),
          maxOutputTokens: num(m.maxOutputTokens),
          contextLength: num(m.contextLength),
          supportsReasoning: typeof m.supportsReasoning === 'boolean' ? m.supportsReasoning : undefined,
          cached: Array.isArray(cached) ? cached.some((c) => typeof c === 'string' && sameModelId(m.name, c)) : undefined,
          publisher: m.publisher,
        }));
    }
    const body = await this.getJson<{ data?: any[] }>('/v1/models', signal, this.opts.requestTimeoutMs ?? 30_000);
    const data = Array.isArray(body?.data) ? body!.data : [];
    const foundry = kind !== 'openai-compatible';
    return data
      .filter((m) => m && typeof m.id === 'string')
      .map((m) => ({
        id: m.id,
        alias: typeof m.parent === 'string' ? m.parent : foundry ? aliasFromId(m.id) : m.id,
        device: foundry ? deviceFromId(m.id) : 'unknown',
        contextLength: num(m.context_length ?? m.contextLength ?? m.max_model_len),
        publisher: m.owned_by,
      }));
  }

  async listLoaded(signal?: AbortSignal): Promise<string[]> {
    const kind = await this.detectRuntime(signal);
    if (kind === 'openai-compatible') return [];
    if (kind === 'foundry-g1') {
      try {
        return strings(await this.getJson('/openai/loadedmodels', signal));
      } catch (e) {
        // Some 0.x versions answer 404 here and serve /models/loaded instead.
        if (isLabError(e) && (e.detail?.status === 404 || e.code === 'model-not-found' || e.code === 'bad-request')) return strings(await this.getJson('/models/loaded', signal));
        throw e;
      }
    }
    return strings(await this.getJson('/models/loaded', signal));
  }

  async resolveModel(nameOrAlias: string, opts: { device?: DeviceType; signal?: AbortSignal } = {}): Promise<ResolvedModel> {
    return resolveModelName(await this.listModels(opts.signal), nameOrAlias, opts.device);
  }

  /** Loads a model into memory. No time limit (large models take minutes); cancel with the signal. */
  async loadModel(id: string, opts: { ttlSeconds?: number; signal?: AbortSignal } = {}): Promise<{ status: 'loaded' | 'already_loaded'; ms: number }> {
    const kind = await this.detectRuntime(opts.signal);
    if (kind === 'openai-compatible') return { status: 'already_loaded', ms: 0 };
    const path = kind === 'foundry-g1' ? `/openai/load/${encodeURIComponent(id)}?ttl=${opts.ttlSeconds ?? 600}` : `/models/load/${encodeURIComponent(id)}`;
    const t0 = performance.now();
    this.log.info(`loading ${id}…`);
    try {
      const data = await this.getJson<{ status?: string } | undefined>(path, opts.signal, 0, id);
      const ms = performance.now() - t0;
      this.log.info(`loaded ${id} in ${ms.toFixed(0)} ms`);
      return { status: data?.status === 'already_loaded' ? 'already_loaded' : 'loaded', ms };
    } catch (e) {
      if (isLabError(e) && /No OpenAIService provider found|not cached/i.test(e.detail?.body ?? e.message)) {
        // G1 says the same for a model it does not know at all: tell a typo from a missing download.
        const known = await this.listModels(opts.signal).then((ms) => ms.some((m) => sameModelId(m.id, id)), () => true);
        if (!known) throw new LabError('model-not-found', `'${id}' is not in this runtime's catalog — check the name (aliases resolve to ids first).`, e.detail);
        throw new LabError('model-not-cached', `'${id}' is not downloaded — download it with \`foundry model download ${id}\`.`, e.detail);
      }
      throw e;
    }
  }

  async unloadModel(id: string, signal?: AbortSignal): Promise<void> {
    const kind = await this.detectRuntime(signal);
    if (kind === 'openai-compatible') return;
    const path = kind === 'foundry-g1' ? `/openai/unload/${encodeURIComponent(id)}?force=true` : `/models/unload/${encodeURIComponent(id)}`;
    await this.getJson(path, signal, this.opts.requestTimeoutMs ?? 60_000, id);
  }

  async ensureLoaded(model: ResolvedModel, signal?: AbortSignal): Promise<{ alreadyLoaded: boolean; loadMs?: number }> {
    const kind = await this.detectRuntime(signal);
    if (kind === 'openai-compatible') return { alreadyLoaded: true };
    const loaded = await this.listLoaded(signal);
    if (loaded.some((id) => sameModelId(model.id, id))) return { alreadyLoaded: true };
    const r = await this.loadModel(model.id, { signal });
    return { alreadyLoaded: r.status === 'already_loaded', loadMs: r.status === 'loaded' ? r.ms : undefined };
  }

  /** Downloads a model (Foundry Local ≤ 0.8 only; later versions download through their CLI or SDK). */
  async downloadModel(model: ResolvedModel, onProgress: (percent: number) => void, signal?: AbortSignal): Promise<void> {
    const kind = await this.detectRuntime(signal);
    if (kind !== 'foundry-g1') {
      throw new LabError('bad-request', `This runtime has no download API — run \`foundry model download ${model.alias ?? model.id}\` in a terminal.`);
    }
    const catalog = await this.getJson<any[]>('/foundry/list', signal, this.opts.requestTimeoutMs ?? 60_000);
    const item = Array.isArray(catalog) ? catalog.find((m) => m?.name === model.id) : undefined;
    const body = {
      model: { Name: model.id, Uri: item?.uri, Publisher: item?.publisher, ProviderType: `${item?.providerType ?? 'AzureFoundry'}Local`, PromptTemplate: item?.promptTemplate },
      IgnorePipeReport: true,
    };
    const parser = new DownloadStreamParser(onProgress);
    await requestStream(this.url('/openai/download'), { body, signal, fetch: this.opts.fetch, apiKey: this.opts.apiKey, model: model.id, onText: (chunk) => parser.push(chunk) });
    const result = parser.result();
    if (!result) {
      throw new LabError('stream-broken', `The download of ${model.id} ended before Foundry Local reported a result — try again, or run \`foundry model download ${model.alias ?? model.id}\`.`);
    }
    if (result.success !== true) throw new LabError('server-error', `Download of ${model.id} failed: ${result.error ?? 'no reason given'}`);
    this.catalog = undefined;
  }

  /** Prompt token count without inference, where the runtime has the endpoint (Foundry Local ≤ 0.8). */
  async countTokens(req: ChatRequest, signal?: AbortSignal): Promise<number | undefined> {
    if ((await this.detectRuntime(signal)) !== 'foundry-g1') return undefined;
    try {
      const r = await requestJson<{ tokenCount?: number }>(this.url('/v1/chat/completions/tokenizer/encode/count'), {
        method: 'POST',
        body: { model: req.model, messages: req.messages },
        signal,
        timeoutMs: this.quick,
        fetch: this.opts.fetch,
        apiKey: this.opts.apiKey,
      });
      return num(r.data?.tokenCount);
    } catch {
      return undefined;
    }
  }

  async serviceStatus(signal?: AbortSignal): Promise<{ modelCachePath?: string; pid?: number; raw: unknown } | undefined> {
    const kind = await this.detectRuntime(signal);
    if (kind === 'foundry-g1') {
      const raw = await this.getJson<any>('/openai/status', signal);
      return { modelCachePath: raw?.modelDirPath ?? raw?.ModelDirPath, raw };
    }
    if (kind === 'foundry-g3') {
      const raw = await this.getJson<any>('/status', signal);
      return { modelCachePath: raw?.modelCachePath, pid: num(raw?.pid), raw };
    }
    return undefined;
  }
}

function normalizeDevice(v: unknown): DeviceType | undefined {
  if (typeof v !== 'string') return undefined;
  const u = v.toUpperCase();
  return u === 'CPU' || u === 'GPU' || u === 'NPU' ? u : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Reads the body of G1's POST /openai/download: progress text with percentages ("Total 37.5% Downloading …"), then
 * a JSON object `{success, error}` (the REST docs spell it `{Success, ErrorMessage}`). Chunks may split a number or
 * the JSON anywhere.
 */
export class DownloadStreamParser {
  /** Progress text not yet consumed: at most a number still being written. */
  private pending = '';
  private json?: string;

  constructor(private readonly onProgress: (percent: number) => void) {}

  push(chunk: string): void {
    if (this.json !== undefined) {
      this.json += chunk;
      return;
    }
    let text = this.pending + chunk;
    // The result starts with '{' at the start of a chunk (what the SDK checks) or of a line.
    const brace = chunk.trimStart().startsWith('{') ? this.pending.length + chunk.indexOf('{') : firstLineBrace(text);
    if (brace >= 0) {
      this.json = text.slice(brace);
      text = text.slice(0, brace);
    }
    let consumed = 0;
    let last: number | undefined;
    for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*%/g)) {
      last = Number(m[1]);
      consumed = m.index! + m[0].length;
    }
    if (last !== undefined && Number.isFinite(last)) this.onProgress(Math.min(100, last));
    this.pending = this.json === undefined ? /[\d.]*$/.exec(text.slice(consumed))![0] : '';
  }

  /** The final result, keys read case-insensitively; undefined when none (or not JSON) arrived. */
  result(): { success: boolean; error?: string } | undefined {
    if (this.json === undefined) return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(this.json.trim());
    } catch {
      return undefined;
    }
    if (!obj || typeof obj !== 'object') return undefined;
    const get = (key: string) => Object.entries(obj as Record<string, unknown>).find(([k]) => k.toLowerCase() === key)?.[1];
    const error = get('error') ?? get('errormessage');
    return { success: get('success') === true, error: typeof error === 'string' && error ? error : undefined };
  }
}

function firstLineBrace(text: string): number {
  const m = /(^|[\r\n])[ \t]*\{/.exec(text);
  return m ? m.index + m[0].length - 1 : -1;
}
