import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { deriveMetrics } from '../metrics';
import { runChat } from '../runtime/chat';
import type { RuntimeConnection } from '../runtime/connection';
import { isLabError, LabError } from '../runtime/errors';
import type { RuntimeClient } from '../runtime/runtimeClient';
import type { ChatMessage, ResolvedModel, StreamDelta } from '../runtime/types';
import { judgeAnswer } from './judge';
import type { PromptItem } from './promptSets';
import { readProcessRssMb } from './processMemory';
import { COMPARISON_FORMAT, CompareConfig, ComparisonRun, ModelRun, RequestKind, RequestRecord } from './types';

export interface CompareProgress {
  done: number;
  total: number;
  step: string;
}

export interface CompareHooks {
  signal?: AbortSignal;
  onProgress?: (p: CompareProgress) => void;
  /** Each finished request, as it finishes (the view fills its table live). */
  onRecord?: (r: RequestRecord) => void;
  onDelta?: (model: string, promptId: string, d: StreamDelta) => void;
  version?: string;
}

/** Errors after which a model is skipped for the rest of the run: retrying cannot help. */
const MODEL_FATAL = new Set(['model-not-found', 'model-not-cached', 'context-too-long']);
/** Errors that mean the runtime itself is gone (after runChat's one re-discovery): the run stops, results are kept. */
const RUN_FATAL = new Set(['not-running', 'unreachable', 'not-installed']);

/**
 * Runs prompts × models × repeats through runChat, one request at a time (models never compete for the hardware),
 * interleaving the model order across repeats so drift hits every model alike. Cold mode unloads each model, times
 * its load and makes the first request; otherwise one untimed warm-up per model precedes the measured runs.
 * Cancelling keeps every finished record; a model that fails keeps its partial results and the error.
 */
export async function runComparison(conn: RuntimeConnection, config: CompareConfig, hooks: CompareHooks = {}): Promise<ComparisonRun> {
  const run: ComparisonRun = {
    format: COMPARISON_FORMAT,
    id: randomUUID(),
    startedAt: new Date().toISOString(),
    config,
    runtime: { emulated: false },
    host: hostInfo(),
    versions: { foundryLocalLab: hooks.version ?? 'dev' },
    models: config.models.map((requested) => ({ requested })),
    requests: [],
    judgements: [],
    cancelled: false,
  };
  const signal = hooks.signal;
  const perModelRequests = config.prompts.length * config.runs + 1;
  const total = config.models.length * perModelRequests + (config.judge ? config.models.length * config.prompts.length : 0);
  let done = 0;
  const progress = (step: string) => hooks.onProgress?.({ done, total, step });
  const stopped = () => signal?.aborted || run.error !== undefined;

  try {
    const client = await conn.client(signal);
    const discovery = await conn.current(signal);
    if (discovery.discovery.state === 'found') {
      run.runtime = { kind: discovery.discovery.runtime, endpoint: discovery.discovery.endpoint.serviceUrl, emulated: discovery.discovery.emulated };
    }
    const status = await client.serviceStatus(signal).catch(() => undefined);
    const local = discovery.discovery.state === 'found' && discovery.discovery.endpoint.isLoopback;
    if (status?.pid && local) run.runtime.pid = status.pid;

    for (const m of run.models) {
      if (stopped()) break;
      progress(`resolving ${m.requested}`);
      try {
        m.resolved = await conn.withRediscovery((c) => c.resolveModel(m.requested, { signal }), signal);
      } catch (e) {
        m.error = errorOf(e);
        if (RUN_FATAL.has(m.error.code)) run.error = m.error;
      }
    }

    // First request per model: cold (after a timed load) or an untimed warm-up.
    for (const m of run.models) {
      if (stopped()) break;
      if (!m.resolved) {
        done += perModelRequests;
        continue;
      }
      if (config.cold) {
        progress(`loading ${m.resolved.id} (cold)`);
        m.load = await timedColdLoad(client, m.resolved, run.runtime.pid, signal);
        if (m.load.error) {
          m.error = m.load.error;
          done += perModelRequests;
          continue;
        }
      } else {
        progress(`loading ${m.resolved.id}`);
        try {
          const loaded = await conn.withRediscovery((c) => c.ensureLoaded(m.resolved!, signal), signal);
          if (loaded.loadMs !== undefined) m.load = { ms: loaded.loadMs };
        } catch (e) {
          m.error = errorOf(e);
          if (RUN_FATAL.has(m.error.code)) run.error = m.error;
          done += perModelRequests;
          continue;
        }
      }
      await request(m, config.prompts[0], config.cold ? 'cold' : 'warmup', 0);
    }

    for (let repeat = 0; repeat < config.runs && !stopped(); repeat++) {
      for (let p = 0; p < config.prompts.length && !stopped(); p++) {
        const usable = run.models.filter((m) => m.resolved && !m.error);
        for (let i = 0; i < usable.length && !stopped(); i++) {
          const m = usable[(i + repeat + p) % usable.length];
          await request(m, config.prompts[p], 'warm', repeat);
        }
      }
    }

    if (config.judge && !stopped()) await judgeAll(conn, run, config.judge, signal, () => {
      done++;
      progress('judging');
    });
  } catch (e) {
    run.error = errorOf(e);
  }
  run.cancelled = !!signal?.aborted;
  if (run.cancelled && run.error?.code === 'aborted') delete run.error;
  run.finishedAt = new Date().toISOString();
  progress(run.cancelled ? 'cancelled' : run.error ? 'stopped' : 'done');
  return run;

  async function request(m: ModelRun, prompt: PromptItem, kind: RequestKind, repeat: number): Promise<void> {
    if (m.error) return;
    progress(`${m.requested} · ${prompt.id} · ${kind}${kind === 'warm' ? ` ${repeat + 1}/${config.runs}` : ''}`);
    const outcome = await runChat(conn, {
      model: m.requested,
      resolved: m.resolved,
      messages: () => messagesFor(prompt),
      maxTokens: config.maxTokens,
      temperature: config.temperature,
      idleTimeoutMs: config.idleTimeoutMs,
      signal,
      autoLoad: true,
      onDelta: (d) => hooks.onDelta?.(m.requested, prompt.id, d),
    });
    const r = outcome.result;
    if (r.error?.code === 'aborted') return; // a cancelled request is not a measurement
    const record: RequestRecord = {
      seq: run.requests.length,
      model: m.requested,
      variantId: outcome.model?.id ?? m.resolved?.id,
      promptId: prompt.id,
      kind,
      repeat,
      text: r.text,
      reasoning: r.reasoning,
      finishReason: r.finishReason,
      usage: r.usage,
      tokenSource: r.tokenSource,
      timeline: r.timeline,
      metrics: deriveMetrics(r),
      error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
      emulated: r.emulated,
    };
    if (r.emulated) run.runtime.emulated = true;
    run.requests.push(record);
    done++;
    hooks.onRecord?.(record);
    if (r.error && MODEL_FATAL.has(r.error.code)) m.error = record.error;
    if (r.error && RUN_FATAL.has(r.error.code)) run.error = record.error;
  }
}

function messagesFor(prompt: PromptItem): ChatMessage[] {
  return prompt.system ? [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.prompt }] : [{ role: 'user', content: prompt.prompt }];
}

async function timedColdLoad(client: RuntimeClient, model: ResolvedModel, pid: number | undefined, signal?: AbortSignal) {
  try {
    await client.unloadModel(model.id, signal).catch((e) => {
      if (isLabError(e) && e.code === 'aborted') throw e;
    });
    const rssBeforeMb = pid ? await readProcessRssMb(pid) : undefined;
    const t0 = performance.now();
    await client.loadModel(model.id, { signal });
    const ms = performance.now() - t0;
    const rssAfterMb = pid ? await readProcessRssMb(pid) : undefined;
    return { ms, rssBeforeMb, rssAfterMb };
  } catch (e) {
    return { error: errorOf(e) };
  }
}

async function judgeAll(conn: RuntimeConnection, run: ComparisonRun, judge: string, signal: AbortSignal | undefined, tick: () => void) {
  for (const m of run.models) {
    for (const prompt of run.config.prompts) {
      if (signal?.aborted) return;
      const answer = run.requests.find((r) => r.model === m.requested && r.promptId === prompt.id && r.kind !== 'warmup' && !r.error && r.text);
      if (!answer) {
        tick();
        continue;
      }
      run.judgements.push(await judgeAnswer(conn, { judge, model: m.requested, prompt, answer: answer.text, signal, idleTimeoutMs: run.config.idleTimeoutMs }));
      tick();
    }
  }
}

export function errorOf(e: unknown): { code: string; message: string } {
  if (isLabError(e)) return { code: e.code, message: e.message };
  const err = new LabError('server-error', e instanceof Error ? e.message : String(e));
  return { code: err.code, message: err.message };
}

function hostInfo(): ComparisonRun['host'] {
  const cpus = os.cpus();
  return {
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}
