import { deriveMetrics, RequestMetrics } from '../metrics';
import { runChat } from '../runtime/chat';
import type { RuntimeConnection } from '../runtime/connection';
import { isLabError } from '../runtime/errors';
import type { TokenSource, Timeline, Usage } from '../runtime/timeline';
import type { ChatMessage, ResolvedModel, StreamDelta } from '../runtime/types';
import type { PriceEntry } from '../compare/cost';
import { decideEscalation, EscalationDecision, EscalationPolicyConfig } from './escalationPolicy';
import { splitIntoSections } from './sections';

export interface StageParams {
  maxTokens: number;
  temperature: number;
}

export interface SummarizeConfig {
  draftModel: string;
  refineModel: string;
  /** Instruction for the draft; the source follows it. */
  draftPrompt: string;
  /** Instruction for the refinement; the draft follows it (the workshop's "Refine and polish:"). */
  refinePrompt: string;
  draft: StageParams;
  refine: StageParams;
  policy: EscalationPolicyConfig;
  /** The draft model's context in tokens when the runtime does not say (Foundry Local often doesn't). */
  fallbackContextTokens: number;
  /** Hypothetical prices for the blended-cost simulation: the draft model's and the refine model's. */
  prices?: { draft: PriceEntry; refine: PriceEntry };
  idleTimeoutMs?: number;
  /** Load a model before its stage when it is not loaded (default true; the foundryLab.autoLoadModels setting). */
  autoLoad?: boolean;
}

export const DEFAULT_SUMMARIZE: Omit<SummarizeConfig, 'draftModel' | 'refineModel' | 'policy'> = {
  draftPrompt: 'Write a concise executive summary of the following text. Keep every important fact; no preamble.',
  refinePrompt: 'Refine and polish:',
  draft: { maxTokens: 280, temperature: 0.4 },
  refine: { maxTokens: 220, temperature: 0.3 },
  fallbackContextTokens: 4096,
};

export type StageKind = 'draft' | 'section' | 'combine' | 'refine' | 'baseline';

export interface StageResult {
  stage: StageKind;
  index?: number;
  model: string;
  variantId?: string;
  device?: string;
  text: string;
  reasoning: string;
  finishReason?: string;
  usage?: Usage;
  tokenSource?: TokenSource;
  timeline: Timeline;
  metrics: RequestMetrics;
  loadMs?: number;
  emulated: boolean;
  error?: { code: string; message: string };
}

export interface SummaryResult {
  sourceChars: number;
  sections: number;
  stages: StageResult[];
  draft: string;
  final: string;
  decision?: EscalationDecision;
  /** True when the refine model's text is the final one. */
  refined: boolean;
  /** Set when the whole pipeline failed (no draft); when only the refinement fails, the draft is kept and refineError set. */
  error?: { code: string; message: string };
  refineError?: { code: string; message: string };
  cancelled: boolean;
  emulated: boolean;
  /** Sum of the stages' E2E (what the user waited for the model, loads excluded). */
  totalMs: number;
  /** Simulated cost of the stages' tokens at the configured prices. */
  blendedCost?: number;
  /** The always-large-model baseline on the same input, when asked for. */
  baseline?: StageResult & { cost?: number };
  baselineError?: { code: string; message: string };
}

export interface SummarizeHooks {
  signal?: AbortSignal;
  onStage?: (stage: StageKind, detail: string) => void;
  onDelta?: (stage: StageKind, delta: StreamDelta) => void;
  /** Also run the always-large-model baseline on the same input, to measure what the cascade saved. */
  baseline?: boolean;
  /** The escalation policy's decision, as soon as it is made (before the refinement streams). */
  onDecision?: (decision: EscalationDecision) => void;
}

/**
 * The draft → refine cascade: the small model drafts (section by section when the input exceeds its context), the
 * escalation policy decides, the large model refines only then. A refine failure keeps the draft; cancelling keeps
 * what finished.
 */
export async function summarize(conn: RuntimeConnection, source: string, config: SummarizeConfig, hooks: SummarizeHooks = {}): Promise<SummaryResult> {
  const result: SummaryResult = { sourceChars: source.length, sections: 1, stages: [], draft: '', final: '', refined: false, cancelled: false, emulated: false, totalMs: 0 };
  const signal = hooks.signal;
  const finish = () => {
    result.cancelled = !!signal?.aborted;
    result.totalMs = result.stages.filter((s) => s.stage !== 'baseline').reduce((sum, s) => sum + (s.metrics.e2eMs ?? 0), 0);
    result.emulated = result.stages.some((s) => s.emulated) || !!result.baseline?.emulated;
    result.blendedCost = costOf(result.stages.filter((s) => s.stage !== 'baseline'), config);
    if (result.baseline && config.prices) result.baseline.cost = costOf([result.baseline], config);
    return result;
  };
  if (!source.trim()) {
    result.error = { code: 'empty-input', message: 'There is nothing to summarize: the selection (or file) is empty.' };
    return finish();
  }

  let draftModel: ResolvedModel | undefined;
  try {
    draftModel = await conn.withRediscovery((c) => c.resolveModel(config.draftModel, { signal }), signal);
  } catch (e) {
    result.error = errorOf(e);
    return finish();
  }
  const contextTokens = draftModel.contextLength ?? config.fallbackContextTokens;
  // Budget for the source: the context minus the answer and the instruction; ~4 characters a token, kept on the safe side.
  const maxSourceChars = Math.max(1000, Math.floor((contextTokens - config.draft.maxTokens - 200) * 3.2));
  const sections = splitIntoSections(source, maxSourceChars);
  result.sections = sections.length;

  if (sections.length === 1) {
    const draft = await stage('draft', draftModel, [user(`${config.draftPrompt}\n\n${source}`)], config.draft);
    if (!draft) return finish();
    result.draft = draft.text;
  } else {
    const partials: string[] = [];
    for (let i = 0; i < sections.length; i++) {
      if (signal?.aborted) return finish();
      const s = await stage('section', draftModel, [user(`${config.draftPrompt}\n\nThis is part ${i + 1} of ${sections.length} of a longer text.\n\n${sections[i]}`)], config.draft, i, `section ${i + 1}/${sections.length}`);
      if (!s) return finish();
      partials.push(s.text);
    }
    const combined = await stage('combine', draftModel, [user(`Combine these summaries of consecutive parts of one text into one executive summary. Keep every important fact; no preamble.\n\n${partials.map((p, i) => `Part ${i + 1}:\n${p}`).join('\n\n').slice(0, maxSourceChars)}`)], config.draft);
    if (!combined) return finish();
    result.draft = combined.text;
  }
  result.final = result.draft;

  const lastDraftStage = result.stages[result.stages.length - 1];
  result.decision = decideEscalation(config.policy, { source, draft: result.draft, finishReason: lastDraftStage.finishReason });
  hooks.onDecision?.(result.decision);
  if (result.decision.escalate && !signal?.aborted) {
    let refineModel: ResolvedModel | undefined;
    try {
      refineModel = await conn.withRediscovery((c) => c.resolveModel(config.refineModel, { signal }), signal);
    } catch (e) {
      result.refineError = errorOf(e);
    }
    if (refineModel) {
      const refined = await stage('refine', refineModel, [user(`${config.refinePrompt}\n${result.draft}`)], config.refine, undefined, undefined, true);
      if (refined && refined.text.trim()) {
        result.final = refined.text;
        result.refined = true;
      } else if (refined) result.refineError = { code: 'empty-answer', message: 'The refine model returned nothing; the draft is kept.' };
    }
  }

  if (hooks.baseline && !signal?.aborted) Object.assign(result, await summarizeBaseline(conn, source, config, hooks));
  return finish();

  /** Runs a stage and records it; returns undefined when the pipeline must stop (draft-side failure or cancel). */
  async function stage(kind: StageKind, model: ResolvedModel, messages: ChatMessage[], params: StageParams, index?: number, detail?: string, isRefine = false): Promise<StageResult | undefined> {
    const s = await runStage(kind, model, messages, params, index, detail);
    result.stages.push(s);
    if (s.error) {
      if (s.error.code === 'aborted') return undefined;
      if (isRefine) {
        result.refineError = s.error;
        return undefined;
      }
      result.error = s.error;
      if (s.text.trim()) result.draft = s.text; // keep what streamed
      return undefined;
    }
    return s;
  }

  function runStage(kind: StageKind, model: ResolvedModel, messages: ChatMessage[], params: StageParams, index?: number, detail?: string): Promise<StageResult> {
    return runSummaryStage(conn, config, hooks, kind, model, messages, params, index, detail);
  }
}

/**
 * The always-large-model baseline on the same input: what the cascade is measured against. `summarize` runs it when
 * asked (hooks.baseline); a UI can also run it on demand after a summary, then price it with `withBaseline`.
 */
export async function summarizeBaseline(
  conn: RuntimeConnection,
  source: string,
  config: SummarizeConfig,
  hooks: Pick<SummarizeHooks, 'signal' | 'onStage' | 'onDelta'> = {},
): Promise<Pick<SummaryResult, 'baseline' | 'baselineError'>> {
  const signal = hooks.signal;
  try {
    const big = await conn.withRediscovery((c) => c.resolveModel(config.refineModel, { signal }), signal);
    const maxBig = Math.max(1000, Math.floor(((big.contextLength ?? config.fallbackContextTokens) - config.draft.maxTokens - 200) * 3.2));
    const baseline = await runSummaryStage(conn, config, hooks, 'baseline', big, [user(`${config.draftPrompt}\n\n${source.slice(0, maxBig)}`)], config.draft);
    if (config.prices) (baseline as StageResult & { cost?: number }).cost = costOf([baseline], config);
    return { baseline };
  } catch (e) {
    return { baselineError: errorOf(e) };
  }
}

/** A summary with a baseline measured after it (on demand): the same result, the baseline attached and priced. */
export function withBaseline(result: SummaryResult, outcome: Pick<SummaryResult, 'baseline' | 'baselineError'>): SummaryResult {
  return { ...result, baseline: outcome.baseline, baselineError: outcome.baselineError, emulated: result.emulated || !!outcome.baseline?.emulated };
}

async function runSummaryStage(
  conn: RuntimeConnection,
  config: SummarizeConfig,
  hooks: Pick<SummarizeHooks, 'signal' | 'onStage' | 'onDelta'>,
  kind: StageKind,
  model: ResolvedModel,
  messages: ChatMessage[],
  params: StageParams,
  index?: number,
  detail?: string,
): Promise<StageResult> {
  hooks.onStage?.(kind, detail ?? model.id);
  const { result: r, loadMs } = await runChat(conn, {
    model: model.requested,
    resolved: model,
    messages,
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    signal: hooks.signal,
    idleTimeoutMs: config.idleTimeoutMs,
    autoLoad: config.autoLoad,
    onDelta: (d) => hooks.onDelta?.(kind, d),
  });
  return {
    stage: kind,
    index,
    model: model.requested,
    variantId: model.id,
    device: model.device,
    text: r.text,
    reasoning: r.reasoning,
    finishReason: r.finishReason,
    usage: r.usage,
    tokenSource: r.tokenSource,
    timeline: r.timeline,
    metrics: deriveMetrics(r),
    loadMs,
    emulated: r.emulated,
    error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
  };
}

function user(content: string): ChatMessage {
  return { role: 'user', content };
}

function costOf(stages: StageResult[], config: SummarizeConfig): number | undefined {
  if (!config.prices) return undefined;
  let cost = 0;
  for (const s of stages) {
    if (!s.usage) continue;
    const price = s.stage === 'refine' || s.stage === 'baseline' ? config.prices.refine : config.prices.draft;
    cost += (s.usage.promptTokens * price.inputPerMTok + s.usage.completionTokens * price.outputPerMTok) / 1e6;
  }
  return cost;
}

function errorOf(e: unknown): { code: string; message: string } {
  return isLabError(e) ? { code: e.code, message: e.message } : { code: 'server-error', message: e instanceof Error ? e.message : String(e) };
}
