/**
 * Ask the workspace: retrieve chunks, number them as sources, let the small model answer from them only, and
 * escalate to the large model when that answer is weak (too short, says the context is insufficient, cites
 * nothing). Every stage goes through runChat (the one streaming path); askWorkspace never rejects.
 */
import { promises as fs } from 'fs';
import { deriveMetrics } from '../metrics/requestMetrics';
import { ChatPhase, failedResult, runChat } from '../runtime/chat';
import type { RuntimeConnection } from '../runtime/connection';
import { LabError, isLabError } from '../runtime/errors';
import type { ChatMessage, ChatResult, StreamDelta } from '../runtime/types';

export interface AskSourceRef {
  /** Shown to the model and the user: workspace-relative (prefixed by the folder name in a multi-root workspace). */
  path: string;
  absPath: string;
  startLine: number;
  endLine: number;
  score: number;
  folder?: string;
}

export interface AskSource extends AskSourceRef {
  /** 1-based, as the model cites it. */
  n: number;
  /** `path:start-end` */
  label: string;
  /** The chunk's text as the model saw it (possibly shortened to fit the context budget). */
  text: string;
}

export interface Citation {
  n: number;
  source: AskSource;
}

export type FallbackRule = 'too-short' | 'insufficient' | 'no-citations' | 'truncated' | 'failed' | 'forced';
export interface FallbackReason {
  rule: FallbackRule;
  detail: string;
}

export interface FallbackPolicy {
  /** auto: escalate when a rule fires; always: every answer goes to the large model; never: the small one's stays. */
  mode: 'auto' | 'always' | 'never';
  minAnswerChars: number;
  insufficientPhrases: string[];
  requireCitations: boolean;
}

export const DEFAULT_FALLBACK_POLICY: FallbackPolicy = {
  mode: 'auto',
  minAnswerChars: 40,
  insufficientPhrases: ['insufficient', 'not enough information', 'does not contain', "doesn't contain", 'not in the context', 'no information', 'cannot answer', "can't answer", 'unable to answer', 'not provided in the context'],
  requireCitations: true,
};

/** The workshop's grounding instruction, plus how to cite. */
export const ASK_SYSTEM_PROMPT =
  'You answer questions about the user\'s code workspace. Answer using ONLY the provided context. If the context is insufficient, say so. ' +
  'Cite the sources you use with their numbers in square brackets, like [1] or [2][3]. Be concise.';

export const ASK_DEFAULTS = { topK: 6, maxContextChars: 12000, maxTokens: 300, temperature: 0.3, historyTurns: 3 };

export type AskRole = 'small' | 'large';

export interface AskStage {
  role: AskRole;
  /** As configured (an alias or a variant id). */
  model: string;
  /** The variant that answered. */
  variant?: string;
  result: ChatResult;
  loadMs?: number;
  citations: Citation[];
  promptTokens?: number;
  ttftMs?: number;
  /** First token → done. */
  generationMs?: number;
  e2eMs?: number;
}

export interface AskResult {
  question: string;
  sources: AskSource[];
  retrievalMs: number;
  stages: AskStage[];
  /** The stage whose text is the answer (the large one when escalated and it answered). */
  answer?: AskStage;
  escalated: boolean;
  /** Why the small model's answer was escalated (or would have been, under mode "never"). */
  fallbackReasons: FallbackReason[];
  /** Retrieval failed, or every stage failed. */
  error?: LabError;
  cancelled: boolean;
}

export interface AskEvents {
  onSources?(sources: AskSource[], retrievalMs: number): void;
  onStageStart?(role: AskRole, model: string): void;
  onPhase?(role: AskRole, phase: ChatPhase, detail?: string): void;
  onDelta?(role: AskRole, delta: StreamDelta): void;
  onStageDone?(stage: AskStage): void;
  onFallback?(reasons: FallbackReason[]): void;
}

export interface AskOptions {
  question: string;
  retrieve(query: string, opts: { topK: number; signal?: AbortSignal }): Promise<AskSourceRef[]>;
  smallModel: string;
  largeModel: string;
  policy?: Partial<FallbackPolicy>;
  topK?: number;
  /** Budget for the sources' text in the prompt, in characters. */
  maxContextChars?: number;
  maxTokens?: number;
  temperature?: number;
  /** Earlier turns of the conversation (oldest first); the last few go into the prompt. */
  history?: Array<{ question: string; answer: string }>;
  signal?: AbortSignal;
  idleTimeoutMs?: number;
  autoLoad?: boolean;
  apiKey?: string;
  /** Reads a chunk's lines (tests and the editor may supply unsaved text); default: cachedLineReader(). */
  readLines?(ref: AskSourceRef): Promise<string>;
}

export async function askWorkspace(conn: RuntimeConnection, opts: AskOptions, events: AskEvents = {}): Promise<AskResult> {
  const emit = <K extends keyof AskEvents>(k: K, ...args: Parameters<NonNullable<AskEvents[K]>>) => {
    try {
      (events[k] as ((...a: unknown[]) => void) | undefined)?.(...args);
    } catch {
      /* a UI callback must not break the answer */
    }
  };
  const policy: FallbackPolicy = { ...DEFAULT_FALLBACK_POLICY, ...definedOnly(opts.policy ?? {}) };
  const out: AskResult = { question: opts.question, sources: [], retrievalMs: 0, stages: [], escalated: false, fallbackReasons: [], cancelled: false };
  const question = opts.question.trim();
  if (!question) {
    out.error = new LabError('bad-request', 'Type a question first.');
    return out;
  }

  const t0 = performance.now();
  try {
    const refs = await opts.retrieve(question, { topK: opts.topK ?? ASK_DEFAULTS.topK, signal: opts.signal });
    out.sources = await loadSources(refs, opts.maxContextChars ?? ASK_DEFAULTS.maxContextChars, opts.readLines ?? cachedLineReader());
  } catch (e) {
    out.retrievalMs = performance.now() - t0;
    out.cancelled = !!opts.signal?.aborted;
    out.error = isLabError(e) ? e : new LabError('index-failed', `Retrieval failed: ${e instanceof Error ? e.message : String(e)}`);
    return out;
  }
  out.retrievalMs = performance.now() - t0;
  emit('onSources', out.sources, out.retrievalMs);
  if (opts.signal?.aborted) return { ...out, cancelled: true };

  const messages = buildAskMessages(question, out.sources, opts.history ?? []);
  const small = await runStage('small', opts.smallModel);
  out.stages.push(small);
  if (small.result.error?.code === 'aborted' || opts.signal?.aborted) {
    out.answer = small;
    out.cancelled = true;
    return out;
  }
  out.fallbackReasons = fallbackReasons(small, out.sources, policy);
  const escalate = policy.mode === 'always' || (policy.mode === 'auto' && out.fallbackReasons.length > 0);
  if (!escalate || sameModel(opts.smallModel, opts.largeModel)) {
    out.answer = small;
    if (small.result.error && !small.result.text) out.error = small.result.error;
    return out;
  }
  out.escalated = true;
  emit('onFallback', out.fallbackReasons);
  const large = await runStage('large', opts.largeModel);
  out.stages.push(large);
  out.cancelled = large.result.error?.code === 'aborted' || !!opts.signal?.aborted;
  // A failed escalation keeps the small model's answer, as summarize keeps the draft.
  out.answer = large.result.text.trim() || out.cancelled || !small.result.text.trim() ? large : small;
  if (!out.answer.result.text && out.answer.result.error) out.error = out.answer.result.error;
  return out;

  async function runStage(role: AskRole, model: string): Promise<AskStage> {
    emit('onStageStart', role, model);
    let outcome;
    try {
      outcome = await runChat(conn, {
        model,
        messages,
        maxTokens: opts.maxTokens ?? ASK_DEFAULTS.maxTokens,
        temperature: opts.temperature ?? ASK_DEFAULTS.temperature,
        signal: opts.signal,
        idleTimeoutMs: opts.idleTimeoutMs,
        autoLoad: opts.autoLoad,
        apiKey: opts.apiKey,
        onDelta: (d) => emit('onDelta', role, d),
        onPhase: (p, detail) => emit('onPhase', role, p, detail),
      });
    } catch (e) {
      // runChat does not reject; this is for a bug, which must not lose the sources.
      outcome = { result: failedResult(model, e) };
    }
    const { result } = outcome;
    const m = deriveMetrics(result);
    const t = result.timeline;
    const stage: AskStage = {
      role,
      model,
      variant: outcome.model?.id,
      result,
      loadMs: outcome.loadMs,
      citations: parseCitations(result.text, out.sources),
      promptTokens: m.promptTokens,
      ttftMs: m.ttftMs,
      generationMs: t.firstToken !== undefined && t.done !== undefined ? t.done - t.firstToken : undefined,
      e2eMs: m.e2eMs,
    };
    emit('onStageDone', stage);
    return stage;
  }
}

/** The messages of one question: the grounding instruction, a few earlier turns, then numbered sources and the question. */
export function buildAskMessages(question: string, sources: AskSource[], history: Array<{ question: string; answer: string }> = []): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: ASK_SYSTEM_PROMPT }];
  for (const turn of history.slice(-ASK_DEFAULTS.historyTurns)) {
    messages.push({ role: 'user', content: turn.question }, { role: 'assistant', content: turn.answer });
  }
  const context = sources.length
    ? sources.map((s) => `[${s.n}] ${s.label}\n${fence(s.text)}`).join('\n\n')
    : '(no source matched the question)';
  messages.push({ role: 'user', content: `Sources:\n\n${context}\n\nQuestion: ${question}` });
  return messages;
}

/** A fence longer than any backtick run inside the text, so file content cannot close it early. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${text}\n${f}`;
}

/**
 * The citations in an answer, in order of first appearance, each source once: `[1]`, `[1, 2]`, `[1][3]`, `[2-4]`.
 * Numbers that match no source are ignored; so are brackets inside code (array indexes) and markdown links `[1](…)`.
 */
export function parseCitations(text: string, sources: AskSource[]): Citation[] {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const seen = new Set<number>();
  const out: Citation[] = [];
  for (const n of citedNumbers(text)) {
    const source = byN.get(n);
    if (!source || seen.has(n)) continue;
    seen.add(n);
    out.push({ n, source });
  }
  return out;
}

/** Every `[n…]` citation group in prose (code spans and fenced blocks skipped), expanded to its numbers. */
export function citedNumbers(text: string): number[] {
  const prose = text.replace(/(^|\n)(`{3,}|~{3,})[^\n]*\n[\s\S]*?(\n\2[^\n]*(?=\n|$)|$)/g, '$1').replace(/`[^`\n]*`/g, '');
  const out: number[] = [];
  for (const m of prose.matchAll(/\[(\d{1,3}(?:\s*(?:,|;|-|–)\s*\d{1,3})*)\](?!\()/g)) {
    for (const part of m[1].split(/\s*[,;]\s*/)) {
      const range = part.split(/\s*[-–]\s*/).map(Number);
      if (range.length === 2 && range[1] >= range[0] && range[1] - range[0] < 20) for (let n = range[0]; n <= range[1]; n++) out.push(n);
      else if (range.length === 1) out.push(range[0]);
    }
  }
  return out;
}

/** Why the small model's answer should go to the large one; empty when it looks fine. */
export function fallbackReasons(stage: Pick<AskStage, 'result' | 'citations'>, sources: AskSource[], policy: FallbackPolicy): FallbackReason[] {
  const reasons: FallbackReason[] = [];
  const text = stage.result.text.trim();
  if (stage.result.error && !text) {
    reasons.push({ rule: 'failed', detail: `the small model failed: ${stage.result.error.message}` });
    return reasons;
  }
  if (policy.mode === 'always') reasons.push({ rule: 'forced', detail: 'the fallback mode is "always"' });
  if (text.length < policy.minAnswerChars) reasons.push({ rule: 'too-short', detail: `the answer has ${text.length} characters (fewer than ${policy.minAnswerChars})` });
  const lower = text.toLowerCase();
  const phrase = policy.insufficientPhrases.find((p) => p && lower.includes(p.toLowerCase()));
  if (phrase) reasons.push({ rule: 'insufficient', detail: `the answer says "${phrase}"` });
  if (policy.requireCitations && sources.length && text && !stage.citations.length) reasons.push({ rule: 'no-citations', detail: 'the answer cites no source' });
  if (stage.result.finishReason === 'length') reasons.push({ rule: 'truncated', detail: 'the answer was cut by the token limit' });
  return reasons;
}

/** Reads each chunk's lines, drops chunks that overlap one already taken, and keeps the total within the budget. */
export async function loadSources(refs: AskSourceRef[], maxChars: number, read: (ref: AskSourceRef) => Promise<string>): Promise<AskSource[]> {
  const out: AskSource[] = [];
  let used = 0;
  for (const ref of refs) {
    if (used >= maxChars) break;
    if (out.some((s) => s.absPath === ref.absPath && s.startLine <= ref.endLine && ref.startLine <= s.endLine)) continue;
    let text: string;
    try {
      text = await read(ref);
    } catch {
      continue; // deleted or unreadable since it was indexed
    }
    let endLine = ref.endLine;
    if (used + text.length > maxChars) {
      // Cut at a line boundary and say so, so the cited range is the one the model saw.
      const room = Math.max(200, maxChars - used);
      const lines = text.slice(0, room).split('\n');
      if (lines.length > 1) lines.pop();
      text = lines.join('\n');
      endLine = ref.startLine + lines.length - 1;
    }
    used += text.length;
    const n = out.length + 1;
    out.push({ ...ref, endLine, n, label: `${ref.path}:${ref.startLine}-${endLine}`, text });
  }
  return out;
}

/**
 * Lines startLine..endLine (1-based, inclusive) of files on disk, for one question: each file is read once, however
 * many of its chunks are embedded and then put in the prompt (the re-ranker's candidates and the sources often share
 * files). Make one per question, so an edit is seen by the next.
 */
export function cachedLineReader(): (ref: AskSourceRef) => Promise<string> {
  const files = new Map<string, Promise<string[]>>();
  return async (ref) => {
    let lines = files.get(ref.absPath);
    if (!lines) {
      lines = fs.readFile(ref.absPath, 'utf8').then((t) => t.split(/\r?\n/));
      files.set(ref.absPath, lines);
    }
    return (await lines).slice(ref.startLine - 1, ref.endLine).join('\n');
  };
}

function sameModel(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
