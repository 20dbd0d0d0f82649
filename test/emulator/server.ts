/**
 * The Foundry Local emulator: a real HTTP server that reproduces Foundry Local's REST API in each of its three
 * generations (and a plain OpenAI-compatible mode), with deterministic token streams, profile-driven timing and
 * injectable faults. See README.md beside this file for what each mode copies and from where.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { writeFileSync } from 'fs';
import { DEFAULT_PROFILE, EmulatedModel, EmulatorProfile, validateProfile } from './profile';
import { countPromptTokens, embedText, seedOf, TokenEvent, tokenEvents } from './tokens';

export type Generation = 'g1' | 'g2' | 'g3' | 'openai';

export type FaultKind =
  | 'reset'
  | 'http-500'
  | 'http-503'
  | 'http-500-plain'
  | 'hang'
  | 'drop-after'
  | 'malformed'
  | 'slow-first-token'
  | 'stall-after'
  | 'finish-length'
  | 'no-usage'
  | 'context-too-long'
  | 'error-event'
  | 'reply';

export const FAULT_KINDS: readonly FaultKind[] = ['reset', 'http-500', 'http-503', 'http-500-plain', 'hang', 'drop-after', 'malformed', 'slow-first-token', 'stall-after', 'finish-length', 'no-usage', 'context-too-long', 'error-event', 'reply'];

export interface FaultSpec {
  kind: FaultKind;
  route?: 'chat' | 'load' | 'models' | 'any';
  model?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  afterTokens?: number;
  delayMs?: number;
  /** `reply`: the answer text to stream instead of the generated words (timing, usage and reasoning unchanged). */
  text?: string;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
  generation?: Generation;
  profile?: EmulatorProfile;
  stateFile?: string;
  /** Multiplies every delay (0 = no delays: a stream is written in one burst). */
  timeScale?: number;
  /** Runs as its own process (main.ts): the fake CLI's `stop` may then signal it. Default false (inside a test). */
  standalone?: boolean;
  /** Allocate memoryMb × memoryScale of real memory while a model is loaded, so process RSS moves (default 0). */
  memoryScale?: number;
  log?: (line: string) => void;
}

export interface RequestRecord {
  method: string;
  path: string;
  model?: string;
  body?: unknown;
  at: number;
  /** The client went away before the response was finished. */
  aborted: boolean;
  finished: boolean;
  fault?: FaultKind;
}

export interface RunningEmulator {
  readonly url: string;
  readonly port: number;
  readonly generation: Generation;
  readonly profile: EmulatorProfile;
  restart(opts?: { port?: number }): Promise<string>;
  stop(): Promise<void>;
  close(): Promise<void>;
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  requests: RequestRecord[];
  loaded: Set<string>;
}

export const EMULATOR_HEADER = 'x-foundry-lab-emulator';
export const OWNER = 'Foundry Local Lab emulator';

const CHAT_PATH = '/v1/chat/completions';

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = new Emulator(opts);
  await emu.listen(opts.port ?? 0);
  return emu;
}

class Emulator implements RunningEmulator {
  readonly generation: Generation;
  readonly profile: EmulatorProfile;
  requests: RequestRecord[] = [];
  loaded = new Set<string>();
  private cached = new Set<string>();
  private coldPending = new Set<string>();
  private memory = new Map<string, Buffer>();
  private faults: (FaultSpec & { left: number })[] = [];
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private timers = new Set<NodeJS.Timeout>();
  private host: string;
  private scale: number;
  private currentUrl = '';
  private currentPort = 0;

  constructor(private opts: EmulatorOptions) {
    this.generation = opts.generation ?? 'g3';
    this.profile = validateProfile(opts.profile ?? DEFAULT_PROFILE);
    this.host = opts.host ?? '127.0.0.1';
    this.scale = opts.timeScale ?? 1;
    for (const m of this.profile.models) if (m.cached !== false) this.cached.add(m.id);
  }

  get url(): string {
    return this.currentUrl;
  }
  get port(): number {
    return this.currentPort;
  }

  async listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.currentPort = (server.address() as AddressInfo).port;
    this.currentUrl = `http://${this.host}:${this.currentPort}`;
    this.writeState(true);
    this.log(`listening on ${this.currentUrl} (${this.generation})`);
  }

  async restart(opts: { port?: number } = {}): Promise<string> {
    return this.restartSparing(opts);
  }

  private async restartSparing(opts: { port?: number }, spare?: Socket): Promise<string> {
    const old = this.currentPort;
    await this.stopListening(spare);
    this.loaded.clear();
    this.coldPending.clear();
    this.memory.clear();
    // A real restart binds a new dynamic port; make sure it differs from the old one.
    for (let i = 0; i < 5; i++) {
      await this.listen(opts.port ?? 0);
      if (opts.port !== undefined || this.currentPort !== old) break;
      await this.stopListening(spare);
    }
    return this.currentUrl;
  }

  async stop(): Promise<void> {
    return this.stopListening();
  }

  /** `spare`: the socket of a control request that must still get its answer (it is closed after that answer). */
  private async stopListening(spare?: Socket): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) if (s !== spare) s.destroy();
    this.sockets.clear();
    if (spare) this.sockets.add(spare);
    // close() stops accepting at once; its callback waits for open connections, which the spared one still is.
    if (server) await new Promise<void>((resolve) => (server.close(() => resolve()), spare && setImmediate(resolve)));
    this.writeState(false);
  }

  async close(): Promise<void> {
    await this.stop();
    this.loaded.clear();
    this.memory.clear();
  }

  injectFault(f: FaultSpec): void {
    // A misspelt fault would silently never fire and the test would pass for the wrong reason.
    if (!FAULT_KINDS.includes(f?.kind)) throw new Error(`unknown fault kind: ${String(f?.kind)}`);
    if (f.route !== undefined && !['chat', 'load', 'models', 'any'].includes(f.route)) throw new Error(`unknown fault route: ${String(f.route)}`);
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private writeState(running: boolean): void {
    if (!this.opts.stateFile) return;
    const state = { url: this.currentUrl, running, pid: process.pid, standalone: !!this.opts.standalone, generation: this.generation, timeScale: this.scale, profile: this.profile };
    writeFileSync(this.opts.stateFile, JSON.stringify(state, null, 2));
  }

  private delay(ms: number, res?: ServerResponse): Promise<boolean> {
    const scaled = ms * this.scale;
    return new Promise((resolve) => {
      if (res && (res.destroyed || res.writableEnded)) return resolve(false);
      if (scaled <= 0) return resolve(true);
      const onClose = () => {
        clearTimeout(t);
        this.timers.delete(t);
        resolve(false);
      };
      const t = setTimeout(() => {
        this.timers.delete(t);
        res?.off('close', onClose);
        resolve(!(res && res.destroyed));
      }, scaled);
      this.timers.add(t);
      res?.once('close', onClose);
    });
  }

  private takeFault(route: 'chat' | 'load' | 'models', model?: string): FaultSpec | undefined {
    const i = this.faults.findIndex((f) => ((f.route ?? 'chat') === route || f.route === 'any') && (!f.model || f.model === model));
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (--f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  private find(id: string): EmulatedModel | undefined {
    const lower = id.toLowerCase();
    return this.profile.models.find((m) => m.id.toLowerCase() === lower) ?? (this.generation === 'g1' ? this.profile.models.find((m) => m.id.split(':')[0].toLowerCase() === lower) : undefined);
  }

  // ---------------------------------------------------------------- routing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(EMULATOR_HEADER, '1');
    const url = new URL(req.url ?? '/', 'http://x');
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      /* a malformed %-escape: route the raw path (it matches nothing) */
    }
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname + url.search, at: Date.now(), aborted: false, finished: false };
    if (!path.startsWith('/__emulator')) this.requests.push(record);
    res.on('finish', () => (record.finished = true));
    res.on('close', () => {
      if (!record.finished) record.aborted = true;
    });
    let body: any;
    let raw = '';
    try {
      raw = await readBody(req);
    } catch {
      return;
    }
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
    }
    record.body = body;
    try {
      await this.route(req.method ?? 'GET', path, url, raw, body, req, res, record);
    } catch (e) {
      if (!res.headersSent) this.error(res, 500, `Emulator failure: ${(e as Error).message}`, 'server_error');
      else res.destroy();
    }
  }

  private async route(method: string, path: string, url: URL, raw: string, body: any, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    const g = this.generation;
    if (path.startsWith('/__emulator/')) return this.control(method, path, body, res);
    if (method === 'GET' && path === '/v1/models') return this.withFault('models', undefined, record, res, () => this.listV1(res));
    if (method === 'GET' && path.startsWith('/v1/models/') && g !== 'g1') {
      const m = this.find(path.slice('/v1/models/'.length));
      return m ? json(res, 200, this.v1Model(m)) : this.error(res, 404, 'Model not found');
    }
    if (method === 'POST' && path === CHAT_PATH) {
      record.model = typeof body?.model === 'string' ? body.model : undefined;
      return this.chat(raw, body, req, res, record);
    }
    if (method === 'POST' && path === '/v1/embeddings') {
      // Not a Foundry Local route: Ollama, LM Studio, llama.cpp and vLLM serve it; the emulator does in every mode.
      record.model = typeof body?.model === 'string' ? body.model : undefined;
      const input: unknown = body?.input;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((t) => typeof t === 'string') ? (input as string[]) : undefined;
      if (!record.model || !texts) return this.error(res, 400, "Missing or invalid field: 'model' and 'input' (a string or an array of strings) are required");
      if (!(await this.delay(5 + texts.length, res))) return;
      const data = texts.map((t, index) => ({ object: 'embedding', index, embedding: embedText(t) }));
      const tokens = texts.reduce((n, t) => n + (t.match(/[\p{L}\p{N}_]+/gu)?.length ?? 0), 0);
      return json(res, 200, { object: 'list', data, model: record.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    }
    if (g === 'g1') {
      if (method === 'POST' && path === `${CHAT_PATH}/tokenizer/encode/count`) {
        if (!body || !Array.isArray(body.messages)) return text(res, 400, 'Invalid request body');
        return json(res, 200, { tokenCount: countPromptTokens(body.messages) });
      }
      if (method === 'GET' && path === '/foundry/list') return this.withFault('models', undefined, record, res, () => json(res, 200, this.profile.models.map((m) => this.catalogItem(m))));
      if (method === 'GET' && path === '/openai/models') return json(res, 200, [...this.cached].map((id) => id.split(':')[0]));
      if (method === 'GET' && path === '/openai/loadedmodels') return json(res, 200, [...this.loaded]);
      if (method === 'GET' && path === '/openai/status') return json(res, 200, { endpoints: [this.currentUrl], modelDirPath: '/emulator/.foundry/cache/models', pipeName: 'inference_agent' });
      if (method === 'GET' && path.startsWith('/openai/load/')) return this.load(path.slice('/openai/load/'.length), res, record);
      if (method === 'GET' && path.startsWith('/openai/unload/')) return this.unload(path.slice('/openai/unload/'.length), res);
      if (method === 'GET' && path === '/openai/unloadall') {
        this.loaded.clear();
        this.memory.clear();
        return json(res, 200, {});
      }
      if (method === 'POST' && path === '/openai/download') return this.download(body, res);
    }
    if (g === 'g2' || g === 'g3') {
      if (method === 'GET' && path === '/models/loaded') return json(res, 200, [...this.loaded]);
      if (method === 'GET' && path.startsWith('/models/load/')) return this.load(path.slice('/models/load/'.length), res, record);
      if (method === 'GET' && path.startsWith('/models/unload/')) return this.unload(path.slice('/models/unload/'.length), res);
    }
    if (g === 'g3') {
      if (method === 'GET' && path === '/status') return json(res, 200, { modelCachePath: '/emulator/.foundry/cache/models', endpoints: [this.currentUrl], pid: process.pid });
      if (method === 'POST' && path === '/shutdown') {
        json(res, 200, { status: 'shutting_down' });
        setImmediate(() => void this.stop());
        return;
      }
    }
    return g === 'g1' ? text(res, 404, '') : this.error(res, 404, `Not found: ${method} ${path}`);
  }

  private async withFault(route: 'models' | 'load', model: string | undefined, record: RequestRecord, res: ServerResponse, ok: () => void | Promise<void>): Promise<void> {
    const f = this.takeFault(route, model);
    if (f) {
      record.fault = f.kind;
      if (this.applyHttpFault(f, res)) return;
    }
    return ok();
  }

  /** Faults that replace the whole answer. True when it answered (or dropped) the request. */
  private applyHttpFault(f: FaultSpec, res: ServerResponse): boolean {
    switch (f.kind) {
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'http-500':
        this.error(res, 500, 'Inference failed: emulated fault', 'server_error');
        return true;
      case 'http-503':
        this.error(res, 503, 'Service unavailable: emulated fault', 'server_error');
        return true;
      case 'http-500-plain':
        text(res, 500, 'Internal Server Error');
        return true;
      case 'hang':
        return true; // never answer; the client gives up
      default:
        return false;
    }
  }

  private error(res: ServerResponse, status: number, message: string, type = status >= 500 ? 'server_error' : 'invalid_request_error'): void {
    if (this.generation === 'g1') return text(res, status, message);
    json(res, status, { error: { message, type, param: null, code: null } });
  }

  // ---------------------------------------------------------------- catalog

  private catalogItem(m: EmulatedModel) {
    const name = m.id.split(':')[0];
    return {
      name: m.id,
      displayName: name,
      providerType: 'AzureFoundry',
      uri: `azureml://registries/azureml/models/${name}/versions/${m.id.split(':')[1] ?? '1'}`,
      version: m.id.split(':')[1] ?? '1',
      modelType: 'ONNX',
      promptTemplate: {},
      publisher: OWNER,
      task: 'chat-completion',
      runtime: { deviceType: m.device, executionProvider: m.executionProvider ?? `${m.device === 'CPU' ? 'CPU' : 'WebGpu'}ExecutionProvider` },
      fileSizeMb: m.fileSizeMb,
      modelSettings: { parameters: [] },
      alias: m.alias,
      supportsToolCalling: false,
      license: 'MIT',
      licenseDescription: 'Emulated model: no weights.',
      parentModelUri: `azureml://registries/azureml/models/${m.alias}/versions/1`,
      maxOutputTokens: m.maxOutputTokens ?? 4096,
      minFLVersion: null,
    };
  }

  private v1Model(m: EmulatedModel) {
    const base = { id: m.id, object: 'model', created: 1767225600, owned_by: OWNER };
    return this.generation === 'g2' ? { ...base, parent: m.alias } : base;
  }

  private listV1(res: ServerResponse): void {
    switch (this.generation) {
      case 'g1':
        // As observed: only downloaded models, plus the service's extra envelope fields.
        return json(res, 200, { data: [...this.cached].map((id) => ({ id, object: 'model', owned_by: OWNER })), IsDelta: false, Successful: true, HttpStatusCode: 0, object: 'list' });
      default:
        return json(res, 200, { object: 'list', data: this.profile.models.map((m) => this.v1Model(m)) });
    }
  }

  // ---------------------------------------------------------------- load / unload / download

  private async load(idRaw: string, res: ServerResponse, record: RequestRecord): Promise<void> {
    const id = idRaw.split('?')[0];
    record.model = id;
    const f = this.takeFault('load', id);
    if (f) {
      record.fault = f.kind;
      if (this.applyHttpFault(f, res)) return;
    }
    const m = this.find(id);
    if (!m) {
      return this.generation === 'g1' ? text(res, 400, `No OpenAIService provider found for modelName: ${id}`) : this.error(res, 404, `Model not found: No model matching '${id}'`);
    }
    if (!this.cached.has(m.id)) {
      return this.generation === 'g1' ? text(res, 400, `No OpenAIService provider found for modelName: ${m.id}`) : this.error(res, 400, 'Model not cached');
    }
    if (this.loaded.has(m.id)) return this.generation === 'g1' ? text(res, 200, '') : json(res, 200, { status: 'already_loaded' });
    // The memory is taken inside the load time, so the load still lasts loadMs (from the request's arrival).
    const t0 = record.at;
    const memScale = this.opts.memoryScale ?? 0;
    const memory = memScale > 0 ? Buffer.alloc(Math.round(m.memoryMb * memScale * 1024 * 1024), 1) : undefined;
    if (!(await this.delay(Math.max(0, m.loadMs - (Date.now() - t0) / (this.scale || 1)), res))) return;
    this.loaded.add(m.id);
    this.coldPending.add(m.id);
    if (memory) this.memory.set(m.id, memory);
    this.log(`loaded ${m.id}`);
    return this.generation === 'g1' ? text(res, 200, '') : json(res, 200, { status: 'loaded' });
  }

  private unload(idRaw: string, res: ServerResponse): void {
    const m = this.find(idRaw.split('?')[0]);
    if (!m) return this.generation === 'g1' ? text(res, 400, `No OpenAIService provider found for modelName: ${idRaw}`) : this.error(res, 404, `Model not found: No model matching '${idRaw}'`);
    const was = this.loaded.delete(m.id);
    this.memory.delete(m.id);
    this.coldPending.delete(m.id);
    return this.generation === 'g1' ? text(res, 200, '') : json(res, 200, { status: was ? 'unloaded' : 'not_loaded' });
  }

  private async download(body: any, res: ServerResponse): Promise<void> {
    const name = body?.model?.Name ?? body?.model?.name;
    const m = typeof name === 'string' ? this.find(name) : undefined;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    if (!m) {
      res.end(JSON.stringify({ success: false, error: `Model not found: ${name}` }));
      return;
    }
    for (let pct = 0; pct <= 100; pct += 12.5) {
      res.write(`Total ${pct.toFixed(1)}% Downloading ${m.id.split(':')[0]}/model.onnx.data\n`);
      if (!(await this.delay(m.loadMs / 8, res))) return;
    }
    this.cached.add(m.id);
    res.end(JSON.stringify({ success: true, error: null }));
  }

  // ---------------------------------------------------------------- chat

  private async chat(raw: string, body: any, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    const g = this.generation;
    if (body === undefined) return this.error(res, 400, raw ? 'Invalid JSON' : 'Invalid JSON: empty body');
    if (typeof body.model !== 'string' || !body.model) return this.error(res, 400, 'Missing required field: model');
    if (!Array.isArray(body.messages) || !body.messages.length) return this.error(res, 400, 'Missing required field: messages');
    const badContent = body.messages.find((m: any) => typeof m?.content !== 'string');
    if (badContent) return this.error(res, 400, `[json.exception.type_error.302] type must be string, but is ${jsonTypeName(badContent?.content)}`);
    const fault = this.takeFault('chat', body.model);
    if (fault) {
      record.fault = fault.kind;
      if (this.applyHttpFault(fault, res)) return;
    }
    const m = this.find(body.model);
    if (!m) {
      if (g === 'g1') return text(res, 400, `No OpenAIService provider found for modelName: ${body.model}`);
      if (g === 'openai') return this.error(res, 404, `model '${body.model}' not found`);
      return this.error(res, 404, `Model not found: No model matching '${body.model}'`);
    }
    if (g !== 'openai' && !this.loaded.has(m.id)) {
      if (g === 'g1') return text(res, 400, `No OpenAIService provider found for modelName: ${body.model}`);
      return this.error(res, 400, `Model not loaded: Model '${body.model}' must be loaded before inference`);
    }
    const promptTokens = countPromptTokens(body.messages);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : 256;
    if (fault?.kind === 'context-too-long' || promptTokens + (typeof body.max_tokens === 'number' ? body.max_tokens : 0) > m.contextLength) {
      const out = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
      const limit = fault?.kind === 'context-too-long' ? Math.max(1, promptTokens + out - 1) : m.contextLength;
      return this.error(res, 400, `This request requires ${promptTokens + out} total tokens (${promptTokens} input + ${out} output), which exceeds the model's maximum context length of ${limit} tokens.`);
    }
    // OpenAI-compatible servers (LM Studio, llama.cpp, vLLM) parse reasoning into a separate `reasoning_content` field.
    const all = tokenEvents(g === 'openai' && m.reasoning && m.reasoning !== 'none' ? { ...m, reasoning: 'field' } : m, body.messages, { dropThink: g === 'g3', replyText: fault?.kind === 'reply' ? String(fault.text ?? '') : undefined });
    let events = all.slice(0, Math.max(0, maxTokens));
    let finish = all.length > maxTokens ? 'length' : 'stop';
    if (fault?.kind === 'finish-length') {
      events = events.slice(0, fault.afterTokens ?? Math.ceil(events.length / 2));
      finish = 'length';
    }
    const cold = this.coldPending.delete(m.id);
    const ttft = m.ttftMs + (cold ? m.coldExtraTtftMs ?? 0 : 0) + (fault?.kind === 'slow-first-token' ? fault.delayMs ?? 60000 : 0);
    const reasoningTokens = events.filter((e) => e.kind !== 'answer').length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: events.length, total_tokens: promptTokens + events.length, ...(g !== 'g1' && m.reasoning && m.reasoning !== 'none' ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}) };
    const id = `chatcmpl-${seedOf(m.id, body.messages).toString(16)}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const elapsed = (Date.now() - record.at) / (this.scale || 1);
      if (!(await this.delay(Math.max(0, ttft + (events.length - 1) * (1000 / m.tokensPerSecond) - elapsed), res))) return;
      if (fault?.kind === 'drop-after') return void res.socket?.destroy();
      if (fault?.kind === 'stall-after') return; // never answers; the client gives up
      if (fault?.kind === 'malformed') return text(res, 200, '{"id": "chatcmpl-broken", "choices": [{"message": {"content": "oops"');
      if (fault?.kind === 'error-event') return this.error(res, 500, 'Inference failed: emulated fault during generation', 'server_error');
      const content = events.map((e) => e.content).join('');
      const reasoningField = events.map((e) => e.reasoningField ?? '').join('');
      const message: Record<string, unknown> = { role: 'assistant', content };
      if (reasoningField) message.reasoning_content = reasoningField;
      return json(res, 200, { id, object: 'chat.completion', created, model: m.id, choices: [{ index: 0, message, finish_reason: finish }], usage });
    }
    await this.stream(m, events, { ttft, finish, usage, id, created, includeUsage: body.stream_options?.include_usage === true, fault, start: record.at }, req, res);
  }

  private async stream(
    m: EmulatedModel,
    events: TokenEvent[],
    s: { ttft: number; finish: string; usage: object; id: string; created: number; includeUsage: boolean; fault?: FaultSpec; start: number },
    _req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const g = this.generation;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      g === 'g1'
        ? { model: m.id, choices: [{ delta: { role: 'assistant', ...delta, tool_calls: [] }, message: { role: 'assistant', ...delta, tool_calls: [] }, index: 0 }], created: s.created, CreatedAt: new Date().toISOString(), id: 'chat.id.1', IsDelta: false, Successful: true, HttpStatusCode: 0, object: 'chat.completion.chunk' }
        : { id: s.id, object: 'chat.completion.chunk', created: s.created, model: m.id, choices: [{ index: 0, delta, finish_reason: finish }] };
    if (g !== 'g1') send(chunk({ role: 'assistant', content: '' }, null));
    const f = s.fault;
    const start = s.start;
    const interval = 1000 / m.tokensPerSecond;
    for (let i = 0; i < events.length; i++) {
      // Absolute targets: timer drift does not accumulate over a long stream.
      const target = (s.ttft + i * interval) * this.scale;
      const wait = target - (Date.now() - start);
      if (this.scale > 0 && wait > 0 && !(await this.delay(wait / this.scale, res))) return;
      if (res.destroyed) return;
      if (f && i === (f.afterTokens ?? 0)) {
        if (f.kind === 'drop-after') return dropAfterFlush(res);
        if (f.kind === 'stall-after') return; // keep the socket open, send nothing more
        if (f.kind === 'malformed') res.write('data: {"choices": [{"delta": {"content": "oops"\n\n');
        if (f.kind === 'error-event') {
          send({ error: { message: 'Inference failed: emulated fault during generation', type: 'server_error', param: null, code: null } });
          return void res.end();
        }
      }
      const e = events[i];
      if (!e.content && !e.reasoningField) continue; // reasoning the service does not expose: it only takes time
      send(chunk(e.reasoningField ? { reasoning_content: e.reasoningField } : { content: e.content }, null));
    }
    if (f && (f.afterTokens ?? 0) >= events.length) {
      if (f.kind === 'drop-after') return dropAfterFlush(res);
      if (f.kind === 'stall-after') return;
    }
    if (g !== 'g1') send(chunk({}, s.finish));
    const wantUsage = g === 'g2' || ((g === 'g3' || g === 'openai') && s.includeUsage);
    if (wantUsage && f?.kind !== 'no-usage') send({ id: s.id, object: 'chat.completion.chunk', created: s.created, model: m.id, choices: [], usage: s.usage });
    res.write('data: [DONE]\n\n');
    res.end();
  }

  // ---------------------------------------------------------------- control

  private async control(method: string, path: string, body: any, res: ServerResponse): Promise<void> {
    if (path === '/__emulator/faults' && method === 'POST') {
      const list = Array.isArray(body) ? body : [body];
      const bad = list.find((f) => !f || !FAULT_KINDS.includes(f.kind) || (f.route !== undefined && !['chat', 'load', 'models', 'any'].includes(f.route)));
      if (bad !== undefined) return json(res, 400, { error: `a fault needs "kind" (one of ${FAULT_KINDS.join(', ')}) and an optional "route" (chat, load, models, any)` });
      for (const f of list) this.injectFault(f);
      return json(res, 200, { faults: this.faults.length });
    }
    if (path === '/__emulator/faults' && method === 'DELETE') {
      this.clearFaults();
      return json(res, 200, { faults: 0 });
    }
    if (path === '/__emulator/requests' && method === 'GET') return json(res, 200, this.requests);
    if (path === '/__emulator/state' && method === 'GET') return json(res, 200, { generation: this.generation, url: this.currentUrl, loaded: [...this.loaded], cached: [...this.cached], profile: this.profile, timeScale: this.scale });
    if (path === '/__emulator/restart' && method === 'POST') {
      // The answer goes out on the old connection after the new port listens, then that connection closes.
      const spare = res.socket ?? undefined;
      res.shouldKeepAlive = false;
      const url = await this.restartSparing({ port: typeof body?.port === 'number' ? body.port : undefined }, spare);
      return json(res, 200, { url });
    }
    if (path === '/__emulator/stop' && method === 'POST') {
      // Lets the fake CLI's `stop` stop an emulator that runs inside a test process.
      const spare = res.socket ?? undefined;
      res.shouldKeepAlive = false;
      await this.stopListening(spare);
      return json(res, 200, { running: false });
    }
    if (path === '/__emulator/reset' && method === 'POST') {
      this.clearFaults();
      this.requests = [];
      this.loaded.clear();
      this.memory.clear();
      return json(res, 200, { reset: true });
    }
    return json(res, 404, { error: 'unknown control route' });
  }
}

/** nlohmann::json's type names, as in the service's `type must be string, but is X` errors. */
function jsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Drops the connection once what was written has left: the client must get the tokens before the drop. */
function dropAfterFlush(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  res.write('', () => socket.destroy());
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, obj: unknown): void {
  if (res.destroyed) return;
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function text(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
