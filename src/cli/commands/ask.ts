import * as path from 'path';
import { formatMetric } from '../../core/metrics';
import { askWorkspace, AskOptions, AskResult, AskStage, cachedLineReader, FallbackPolicy } from '../../core/rag/ask';
import { EmbeddingReranker } from '../../core/rag/embeddings';
import { connect, EMULATOR_NOTE, noteIfRemote } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, describeError, EXIT_OK, EXIT_RUNTIME, UsageError } from '../output';
import { IndexCommandOptions, openWorkspace } from './rag';

export interface AskCommandOptions extends IndexCommandOptions {
  question: string;
  small?: string;
  large?: string;
  topK?: number;
  scope?: string[];
  fallback?: FallbackPolicy['mode'];
  maxTokens?: number;
  temperature?: number;
  autoLoad: boolean;
  /** Re-rank the lexical candidates with this embeddings model (fused by reciprocal rank). */
  embeddingsModel?: string;
  /** Where the embeddings model is served (default: the runtime's endpoint). */
  embeddingsEndpoint?: string;
}

/**
 * `foundry-lab ask`: the workspace index answers the question through the small model, escalating to the large one
 * when the answer is weak. The answer streams to stdout; sources with citations and the per-stage breakdown follow.
 */
export async function runAskCommand(global: GlobalOptions, opts: AskCommandOptions, io: CliIO): Promise<number> {
  if (!opts.question.trim()) throw new UsageError('ask needs a question: foundry-lab ask --workspace DIR "where are sessions created?"');
  const { index, stats } = await openWorkspace(opts, io);
  if (!global.json) io.stderr(`[index] ${stats.files} files, ${stats.chunks} chunks (${stats.buildMs} ms${stats.capped ? '; CAPPED' : ''})\n`);
  const conn = connect(global, io);
  const small = opts.small ?? 'phi-4-mini';
  const large = opts.large ?? 'gpt-oss-20b';
  let streamedRole: string | undefined;
  const readLines = cachedLineReader();
  let retrieve: AskOptions['retrieve'] = async (q, o) => index.retrieve(q, { topK: o.topK, scope: opts.scope }).map((x) => ({ ...x, absPath: path.join(index.root, x.path) }));
  if (opts.embeddingsModel) {
    const endpoint = opts.embeddingsEndpoint ?? (await conn.client(io.signal)).endpoint.serviceUrl;
    noteIfRemote(endpoint, 'the embeddings endpoint', io);
    const reranker = new EmbeddingReranker({ endpoint, model: opts.embeddingsModel, apiKey: conn.apiKeyFor(endpoint) });
    retrieve = reranker.wrap(retrieve, readLines, (e) => io.stderr(`foundry-lab: the embeddings re-ranking failed, lexical ranking used: ${e.message}\n`));
  }
  const r = await askWorkspace(
    conn,
    {
      question: opts.question,
      retrieve,
      readLines,
      smallModel: small,
      largeModel: large,
      topK: opts.topK,
      policy: opts.fallback ? { mode: opts.fallback } : undefined,
      maxTokens: opts.maxTokens,
      temperature: opts.temperature,
      signal: io.signal,
      idleTimeoutMs: global.idleTimeoutMs,
      autoLoad: opts.autoLoad,
    },
    {
      onSources: (sources, ms) => {
        if (!global.json) io.stderr(`[retrieval] ${sources.length} source${sources.length === 1 ? '' : 's'} in ${ms.toFixed(1)} ms\n`);
      },
      onStageStart: (role, model) => {
        if (global.json) return;
        if (streamedRole) io.stdout('\n');
        streamedRole = undefined;
        io.stderr(`[${role} ${model}]\n`);
        io.stdout(`--- ${role === 'small' ? 'Answer' : 'Answer after escalation'} (${model}) ---\n`);
      },
      onPhase: (role, phase, detail) => {
        if (!global.json && phase === 'loading') io.stderr(`[${role}] loading ${detail ?? ''} if needed…\n`);
      },
      onDelta: (role, d) => {
        if (global.json || !d.answer) return;
        io.stdout(d.answer);
        streamedRole = role;
      },
      onFallback: (reasons) => {
        if (global.json) return;
        if (streamedRole) io.stdout('\n');
        streamedRole = undefined;
        io.stdout(`\nEscalation to ${large}: ${reasons.map((x) => x.detail).join('; ')}\n`);
      },
    },
  );
  if (streamedRole) io.stdout('\n');
  const emulated = r.stages.some((s) => s.result.emulated);
  if (emulated) io.stderr(`${EMULATOR_NOTE}\n`);
  if (global.json) io.stdout(JSON.stringify({ ...askJson(r, emulated), ranking: opts.embeddingsModel ? `lexical + ${opts.embeddingsModel} embeddings (RRF)` : 'lexical' }, null, 2) + '\n');
  else io.stdout(describeAsk(r) + '\n');
  const failure = r.error ?? r.stages.find((s) => s.result.error && s.result.error.code !== 'aborted')?.result.error;
  if (failure) io.stderr(`foundry-lab: ${describeError(failure)}\n`);
  if (r.escalated && r.answer?.role === 'small') io.stderr('foundry-lab: the escalation failed — the small model\'s answer is kept.\n');
  if (r.cancelled) io.stderr('foundry-lab: cancelled — what streamed is kept.\n');
  else if (r.answer?.result.finishReason === 'length') io.stderr(`warning: the answer was cut by the token limit (finish_reason: length). Raise --max-tokens for the whole answer.\n`);
  // The answer shown broke off (a dropped or stalled stream, no escalation to cover it): not a success.
  const answerBroken = !!r.answer?.result.error && r.answer.result.error.code !== 'aborted';
  return r.error || r.cancelled || answerBroken ? EXIT_RUNTIME : EXIT_OK;
}

export function askJson(r: AskResult, emulated: boolean) {
  const cited = new Set(r.answer?.citations.map((c) => c.n) ?? []);
  return {
    question: r.question,
    answer: r.answer?.result.text ?? '',
    answeredBy: r.answer ? { role: r.answer.role, model: r.answer.model, variant: r.answer.variant } : undefined,
    escalated: r.escalated,
    fallbackReasons: r.fallbackReasons,
    citations: r.answer?.citations.map((c) => ({ n: c.n, path: c.source.path, startLine: c.source.startLine, endLine: c.source.endLine })) ?? [],
    sources: r.sources.map((s) => ({ n: s.n, path: s.path, startLine: s.startLine, endLine: s.endLine, score: s.score, cited: cited.has(s.n) })),
    retrievalMs: round(r.retrievalMs),
    stages: r.stages.map((s) => ({
      role: s.role,
      model: s.model,
      variant: s.variant,
      text: s.result.text,
      finishReason: s.result.finishReason,
      promptTokens: s.promptTokens,
      completionTokens: s.result.usage?.completionTokens,
      tokenSource: s.result.tokenSource ?? (s.result.usage ? 'runtime' : undefined),
      ttftMs: round(s.ttftMs),
      generationMs: round(s.generationMs),
      e2eMs: round(s.e2eMs),
      loadMs: round(s.loadMs),
      citations: s.citations.map((c) => c.n),
      error: s.result.error ? { code: s.result.error.code, message: s.result.error.message } : undefined,
    })),
    cancelled: r.cancelled,
    error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
    emulated,
  };
}

function describeAsk(r: AskResult): string {
  const lines = [''];
  const cited = new Set(r.answer?.citations.map((c) => c.n) ?? []);
  if (r.sources.length) {
    lines.push('Sources:');
    for (const s of r.sources) lines.push(`  [${s.n}] ${s.label}${cited.has(s.n) ? '  (cited)' : ''}`);
  } else lines.push('Sources: none matched the question (is the index empty? try `foundry-lab index`).');
  if (r.escalated) lines.push(`Answered by: ${r.answer?.model ?? '?'}${r.answer?.role === 'small' ? ' (the escalation failed; the small model\'s answer is kept)' : ' (escalated)'}`);
  else if (r.fallbackReasons.length) lines.push(`Fallback rules that fired (not escalated): ${r.fallbackReasons.map((x) => x.detail).join('; ')}`);
  if (r.cancelled) lines.push('Stopped: what streamed is kept.');
  lines.push('Breakdown:', `  retrieval  ${r.retrievalMs.toFixed(1)} ms`);
  for (const s of r.stages) lines.push(`  ${stageLine(s)}`);
  return lines.join('\n');
}

function stageLine(s: AskStage): string {
  const parts = [
    `${s.role.padEnd(10)} ${s.variant ?? s.model}`,
    `${s.promptTokens ?? 'n/a'} prompt tokens${s.result.tokenSource === 'estimated' ? ' (estimated)' : ''}`,
    `TTFT ${formatMetric('ttftMs', s.ttftMs)}`,
    `generation ${s.generationMs === undefined ? 'n/a' : `${Math.round(s.generationMs)} ms`}`,
  ];
  if (s.loadMs !== undefined) parts.push(`load ${Math.round(s.loadMs)} ms before (apart)`);
  if (s.citations.length) parts.push(`cites ${s.citations.map((c) => `[${c.n}]`).join('')}`);
  if (s.result.finishReason) parts.push(`finish ${s.result.finishReason}`);
  if (s.result.error) parts.push(`error [${s.result.error.code}] ${s.result.error.message}`);
  return parts.join(' · ');
}

function round(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v * 10) / 10;
}
