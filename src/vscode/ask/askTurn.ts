/**
 * What the Ask view shows of core's askWorkspace: sources, stages, the fallback, the per-stage breakdown — and the
 * host's side of a click (which file, which lines, which code block). No VS Code API (unit-tested).
 */
import * as path from 'path';
import { Marked, Token, Tokens } from 'marked';
import type { AskResult, AskSource, AskStage, FallbackReason } from '../../core/rag/ask';
import type { AskErrorView, AskRoleView, AskSourceView, AskStageView, AskTurnView } from '../../protocol';
import { adviceFor } from '../errorActions';

/** A turn as the host keeps it: the view, plus each source's file (by source number − 1), never sent to the webview. */
export interface AskTurnRecord {
  view: AskTurnView;
  files: string[];
}

export function errorView(error: unknown): AskErrorView {
  const advice = adviceFor(error);
  const code = typeof error === 'object' && error && 'code' in error ? String((error as { code: unknown }).code) : 'error';
  return { code, message: advice.message, actions: advice.actions.map((a) => ({ title: a.title, action: a.command })) };
}

export function sourceViews(sources: AskSource[], cited: readonly number[] = []): AskSourceView[] {
  const citedSet = new Set(cited);
  return sources.map((s) => ({ n: s.n, label: s.label, path: s.path, startLine: s.startLine, endLine: s.endLine, score: round(s.score), cited: citedSet.has(s.n) }));
}

export function stageView(stage: AskStage): AskStageView {
  const { result } = stage;
  const aborted = result.error?.code === 'aborted';
  return {
    role: stage.role,
    model: stage.model,
    variant: stage.variant,
    state: aborted ? 'stopped' : result.error ? 'failed' : 'done',
    text: result.text,
    citations: stage.citations.map((c) => c.n),
    loadMs: stage.loadMs,
    promptTokens: stage.promptTokens,
    ttftMs: stage.ttftMs,
    generationMs: stage.generationMs,
    finishReason: result.finishReason,
    error: result.error && !aborted ? errorView(result.error) : undefined,
  };
}

const REASON_WORDS: Record<string, (r: FallbackReason) => string> = {
  'no-citations': () => "the small model's answer cited no source",
  'too-short': (r) => `the small model's answer was too short (${r.detail.replace(/^the answer has /, '')})`,
  insufficient: (r) => `the small model found the context insufficient (${r.detail.replace(/^the answer says /, 'it said ')})`,
  truncated: () => "the small model's answer was cut by the token limit",
  failed: (r) => r.detail,
  forced: () => 'the fallback mode is "always"',
};

/** "Escalated to gpt-oss-20b — the small model's answer cited no source". */
export function fallbackSummary(reasons: readonly FallbackReason[], largeModel: string): string {
  const why = reasons.map((r) => (REASON_WORDS[r.rule] ?? ((x: FallbackReason) => x.detail))(r));
  return `Escalated to ${largeModel}${why.length ? ` — ${why.join('; ')}` : ''}`;
}

/** The turn once askWorkspace returned: the stages as they ended, the answer, what it cites, the error if any. */
export function finishedTurn(turn: AskTurnView, result: AskResult, largeModel: string, runtimeEmulated: boolean): AskTurnView {
  const stages = result.stages.map(stageView);
  const answer = result.answer;
  const cited = answer?.citations.map((c) => c.n) ?? [];
  const phase = result.cancelled ? 'stopped' : result.error ? 'failed' : 'done';
  return {
    ...turn,
    phase,
    phaseDetail: undefined,
    retrievalMs: result.retrievalMs,
    sources: sourceViews(result.sources, cited),
    stages,
    answerRole: answer?.role,
    fallback: result.escalated ? { summary: fallbackSummary(result.fallbackReasons, largeModel), reasons: result.fallbackReasons.map((r) => ({ rule: r.rule, detail: r.detail })) } : turn.fallback,
    error: result.error && result.error.code !== 'aborted' ? errorView(result.error) : undefined,
    emulated: runtimeEmulated || result.stages.some((s) => s.result.emulated),
  };
}

/** The answer's text: the answering stage's, else the last stage's. */
export function answerText(turn: AskTurnView): string {
  const stage = turn.stages.find((s) => s.role === turn.answerRole) ?? turn.stages[turn.stages.length - 1];
  return stage?.text ?? '';
}

/** Earlier finished turns as the prompt's conversation history (oldest first). */
export function historyForPrompt(turns: readonly AskTurnView[]): Array<{ question: string; answer: string }> {
  return turns.filter((t) => t.phase === 'done' && answerText(t).trim()).map((t) => ({ question: t.question, answer: answerText(t) }));
}

export type ResolvedSource = { ok: true; file: string; startLine: number; endLine: number; label: string } | { ok: false; reason: string };

/**
 * The file and lines of source `n` of a turn — looked up in the host's record, never taken from the webview — and
 * only when that file lies inside one of the workspace folders.
 */
export function resolveSource(record: AskTurnRecord | undefined, n: number, workspaceRoots: readonly string[]): ResolvedSource {
  if (!record) return { ok: false, reason: 'That answer is no longer in the history.' };
  const source = record.view.sources.find((s) => s.n === n);
  const file = record.files[n - 1];
  if (!source || !file) return { ok: false, reason: `The answer has no source [${n}].` };
  if (!insideAny(file, workspaceRoots)) return { ok: false, reason: `${source.label} is not inside a workspace folder; it is not opened.` };
  return { ok: true, file, startLine: source.startLine, endLine: Math.max(source.startLine, source.endLine), label: source.label };
}

export function insideAny(file: string, roots: readonly string[]): boolean {
  if (!path.isAbsolute(file)) return false;
  return roots.some((root) => {
    const rel = path.relative(root, file);
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

const lexer = new Marked({ gfm: true, breaks: true });

/** The code blocks of an answer in document order, as the webview renders them (marked: fenced and indented). */
export function codeBlocks(markdown: string): string[] {
  const out: string[] = [];
  const walk = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.type === 'code') out.push((t as Tokens.Code).text);
      const nested = (t as { tokens?: Token[] }).tokens;
      if (nested) walk(nested);
      if (t.type === 'list') for (const item of (t as Tokens.List).items) walk(item.tokens);
      if (t.type === 'table') {
        const table = t as Tokens.Table;
        for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens);
      }
    }
  };
  walk(lexer.lexer(markdown));
  return out;
}

export function stageOf(turn: AskTurnView, role: AskRoleView): AskStageView | undefined {
  return turn.stages.find((s) => s.role === role);
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
