/** Turns core's summary results and stats into what the Summarize view shows. No VS Code API (unit-tested). */
import type { PriceEntry } from '../../core/compare/cost';
import { formatMetric, RequestMetrics, summarize as statsOf } from '../../core/metrics';
import { LabError, LabErrorCode } from '../../core/runtime/errors';
import type { StageResult, SummaryResult } from '../../core/summarize/pipeline';
import { describeStats, SummaryStats } from '../../core/summarize/stats';
import type { SummaryErrorView, SummarySourceView, SummaryStageView, SummaryStatsView, SummaryView } from '../../protocol';
import { adviceFor } from '../errorActions';
import { metricRows } from '../panel/runView';
import { wordDiff } from './wordDiff';

/** The view never receives more of the source than this (a 10 MB selection stays in the host). */
export const SOURCE_PREVIEW_CHARS = 1200;

/** The stage table's rows: the timeline, then the tokens. */
const STAGE_METRICS: (keyof RequestMetrics)[] = ['ttftMs', 'ttfatMs', 'decodeTps', 'e2eMs', 'promptTokens', 'completionTokens', 'reasoningTokens', 'tokenSource'];

export function sourceView(name: string, scope: 'selection' | 'file', text: string): SummarySourceView {
  const truncated = text.length > SOURCE_PREVIEW_CHARS;
  return { name, scope, chars: text.length, preview: truncated ? text.slice(0, SOURCE_PREVIEW_CHARS) : text, truncated };
}

export function startedSummary(id: number, source: SummarySourceView, draftModel: string, refineModel: string, emulated: boolean): SummaryView {
  return { id, source, draftModel, refineModel, phase: 'drafting', sections: 1, draft: '', refined: '', isRefined: false, stages: [], baseline: { state: 'none', text: '' }, emulated };
}

export function errorView(e: { code: string; message: string }): SummaryErrorView {
  // Core's stage errors are plain values; as a LabError they get the same advice and buttons as everywhere else.
  const advice = adviceFor(new LabError(e.code as LabErrorCode, e.message));
  return { code: e.code, message: advice.message, actions: advice.actions.map((a) => ({ title: a.title, action: a.command })) };
}

export function stageLabel(s: Pick<StageResult, 'stage' | 'index'>, sections: number): string {
  switch (s.stage) {
    case 'draft':
      return 'Draft';
    case 'section':
      return `Section ${(s.index ?? 0) + 1} of ${sections}`;
    case 'combine':
      return `Combine ${sections} sections`;
    case 'refine':
      return 'Refine';
    case 'baseline':
      return 'Large model alone';
  }
}

export function stageView(s: StageResult, sections: number, prices?: { draft: PriceEntry; refine: PriceEntry }): SummaryStageView {
  const rows = metricRows(s.metrics).filter((r) => STAGE_METRICS.includes(r.key) && (r.key !== 'ttfatMs' || s.metrics.ttfatMs !== s.metrics.ttftMs));
  const view: SummaryStageView = {
    stage: s.stage,
    label: stageLabel(s, sections),
    model: s.model,
    variantId: s.variantId,
    device: s.device,
    metrics: s.metrics,
    metricRows: rows.sort((a, b) => STAGE_METRICS.indexOf(a.key) - STAGE_METRICS.indexOf(b.key)),
    loadMs: s.loadMs,
    finishReason: s.finishReason,
    reasoningChars: s.reasoning.length,
  };
  if (prices && s.usage) {
    const p = s.stage === 'refine' || s.stage === 'baseline' ? prices.refine : prices.draft;
    view.cost = formatCost((s.usage.promptTokens * p.inputPerMTok + s.usage.completionTokens * p.outputPerMTok) / 1e6);
  }
  if (s.error && s.error.code !== 'aborted') view.error = errorView(s.error);
  return view;
}

/**
 * The section stages of a long input as one card: a 10 MB selection has hundreds of sections, and a card each would
 * bury the rest. Totals where they add up (E2E, tokens, cost), medians where they don't (TTFT, decode rate).
 */
export function sectionsStageView(sections: StageResult[], total: number, prices?: { draft: PriceEntry; refine: PriceEntry }): SummaryStageView {
  const values = (key: keyof RequestMetrics) => sections.map((s) => s.metrics[key]).filter((v): v is number => typeof v === 'number');
  const sum = (key: keyof RequestMetrics) => (values(key).length ? values(key).reduce((a, b) => a + b, 0) : undefined);
  const median = (key: keyof RequestMetrics) => statsOf(values(key))?.p50;
  const estimated = sections.some((s) => s.tokenSource === 'estimated');
  const metrics: RequestMetrics = { ttftMs: sum('ttftMs'), e2eMs: sum('e2eMs'), promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens') };
  const row = (key: keyof RequestMetrics, label: string, value: number | undefined) => ({ key, label, value: formatMetric(key, value) });
  const first = sections[0];
  const failed = sections.find((s) => s.error && s.error.code !== 'aborted');
  let cost: string | undefined;
  if (prices) cost = formatCost(sections.reduce((c, s) => c + (s.usage ? (s.usage.promptTokens * prices.draft.inputPerMTok + s.usage.completionTokens * prices.draft.outputPerMTok) / 1e6 : 0), 0));
  return {
    stage: 'section',
    label: sections.length < total ? `${sections.length} of ${total} sections` : `${total} sections`,
    model: first.model,
    variantId: first.variantId,
    device: first.device,
    metrics,
    metricRows: [
      row('ttftMs', 'Time to first token (median)', median('ttftMs')),
      row('decodeTps', 'Decode rate (median)', median('decodeTps')),
      row('e2eMs', `End-to-end latency (sum of ${sections.length})`, metrics.e2eMs),
      row('promptTokens', 'Prompt tokens (sum)', metrics.promptTokens),
      row('completionTokens', 'Completion tokens (sum)', metrics.completionTokens),
      { key: 'tokenSource', label: 'Token counts from', value: estimated ? 'estimated (some sections)' : 'usage' },
    ],
    loadMs: first.loadMs,
    reasoningChars: sections.reduce((n, s) => n + s.reasoning.length, 0),
    cost,
    error: failed?.error ? errorView(failed.error) : undefined,
  };
}

/** The finished summary: texts, decision, stages, totals, diff, errors as advice. */
export function finishedSummary(started: SummaryView, r: SummaryResult, prices?: { draft: PriceEntry; refine: PriceEntry }): SummaryView {
  const draftStages = r.stages.filter((s) => s.stage !== 'refine' && s.stage !== 'baseline');
  const refineStage = r.stages.find((s) => s.stage === 'refine');
  const view: SummaryView = {
    ...started,
    phase: r.cancelled ? 'stopped' : r.error ? 'failed' : 'done',
    phaseDetail: r.cancelled && r.sections > 1 ? `after ${r.stages.filter((s) => s.stage === 'section' && !s.error).length} of ${r.sections} sections` : undefined,
    sections: r.sections,
    // Stopped in the middle of a section: that section's partial text is not a draft of the whole.
    draft: r.draft || (r.sections === 1 ? (draftStages[0]?.text ?? '') : ''),
    refined: refineStage?.text ?? '',
    final: r.error && !r.draft.trim() ? undefined : r.final || r.draft || undefined,
    isRefined: r.refined,
    decision: r.decision ? { escalate: r.decision.escalate, forced: r.decision.forced, hits: r.decision.hits.map((h) => ({ rule: h.rule, detail: h.detail })) } : undefined,
    stages: stageViews(r, prices),
    emulated: started.emulated || r.emulated,
    error: r.error ? errorView(r.error) : undefined,
    refineError: r.refineError && r.refineError.code !== 'aborted' ? errorView(r.refineError) : undefined,
  };
  if (r.stages.length) {
    view.totals = {
      latency: formatMs(r.totalMs),
      cost: r.blendedCost !== undefined ? formatCost(r.blendedCost) : undefined,
      costNote: prices ? priceNote(prices) : undefined,
    };
  }
  if (r.refined) view.diff = wordDiff(r.draft, r.final);
  return withBaselineView(view, r, prices);
}

function stageViews(r: SummaryResult, prices?: { draft: PriceEntry; refine: PriceEntry }): SummaryStageView[] {
  const sections = r.stages.filter((s) => s.stage === 'section');
  const others = r.stages.filter((s) => s.stage !== 'section' && s.stage !== 'baseline').map((s) => stageView(s, r.sections, prices));
  return sections.length ? [sectionsStageView(sections, r.sections, prices), ...others] : others;
}

/** The baseline part of the view, from a result that has (or lacks) the always-large-model run. */
export function withBaselineView(view: SummaryView, r: SummaryResult, prices?: { draft: PriceEntry; refine: PriceEntry }): SummaryView {
  const b = r.baseline;
  if (r.baselineError) return { ...view, baseline: { state: 'failed', text: '', error: errorView(r.baselineError) } };
  if (!b) return view;
  if (b.error?.code === 'aborted') return { ...view, baseline: { state: 'stopped', text: b.text, stage: stageView(b, 1, prices) } };
  if (b.error) return { ...view, baseline: { state: 'failed', text: b.text, stage: stageView(b, 1, prices), error: errorView(b.error) } };
  return { ...view, baseline: { state: 'done', text: b.text, stage: stageView(b, 1, prices), comparison: baselineComparison(r) } };
}

/** The saving, measured: the cascade's latency and cost against the large model alone on the same input. */
export function baselineComparison(r: SummaryResult): string[] {
  const b = r.baseline;
  if (!b || b.metrics.e2eMs === undefined) return [];
  const lines = [`Large model alone: ${formatMs(b.metrics.e2eMs)}${b.cost !== undefined ? `, ${formatCost(b.cost)}` : ''}. This cascade: ${formatMs(r.totalMs)}${r.blendedCost !== undefined ? `, ${formatCost(r.blendedCost)}` : ''}.`];
  const parts = [relative(r.totalMs, b.metrics.e2eMs, 'less time', 'more time')];
  if (r.blendedCost !== undefined && b.cost !== undefined && b.cost > 0) parts.push(relative(r.blendedCost, b.cost, 'cheaper', 'more expensive'));
  lines.push(`The cascade took ${parts.join(' and was ')} than the large model alone${r.refined ? ' (it refined this one)' : ' (it did not need to refine)'}.`);
  return lines;
}

function relative(value: number, reference: number, lower: string, higher: string): string {
  if (reference <= 0) return 'n/a';
  const ratio = 1 - value / reference;
  return ratio >= 0 ? `${Math.round(ratio * 100)}% ${lower}` : `${Math.round(-ratio * 100)}% ${higher}`;
}

/** Figures across the workspace's summaries. */
export function statsView(s: SummaryStats, refineModel: string): SummaryStatsView {
  const d = describeStats(s);
  if (!s.count) return { count: 0, rows: [] };
  const rows: SummaryStatsView['rows'] = [
    { key: 'count', label: 'Summaries', value: String(s.count) },
    { key: 'escalationRate', label: `Refined by ${refineModel}`, value: `${percent(d.escalationRate!)} (${s.escalated} of ${s.count})` },
    { key: 'avgMs', label: 'Average latency (all stages)', value: formatMs(d.avgMs!) },
    { key: 'avgCost', label: 'Average blended cost (simulated)', value: formatCost(d.avgCost!) },
  ];
  if (s.baselineCount) {
    rows.push(
      { key: 'baselineCount', label: 'Measured against the large model alone', value: `${s.baselineCount} of ${s.count}` },
      { key: 'cascadeAvgMsVsBaseline', label: 'Cascade, average on those', value: formatMs(d.cascadeAvgMsVsBaseline!) },
      { key: 'baselineAvgMs', label: 'Large model alone, average', value: formatMs(d.baselineAvgMs!) },
    );
    if (d.savingMsRatio !== undefined) rows.push({ key: 'savingMsRatio', label: 'Time saved by the cascade', value: signedPercent(d.savingMsRatio) });
    if (d.savingCostRatio !== undefined) rows.push({ key: 'savingCostRatio', label: 'Cost saved by the cascade (simulated)', value: signedPercent(d.savingCostRatio) });
  }
  return { count: s.count, rows };
}

export function priceNote(prices: { draft: PriceEntry; refine: PriceEntry }): string {
  const p = (e: PriceEntry) => `${e.name} $${e.inputPerMTok}/$${e.outputPerMTok}`;
  return `Simulated at hypothetical per-1M-token prices (input/output): draft ${p(prices.draft)}, refine ${p(prices.refine)} — not a quote; set foundryLab.summarize.prices.`;
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(4)}`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** A saving: negative when the cascade cost more. */
function signedPercent(ratio: number): string {
  return ratio >= 0 ? `${Math.round(ratio * 100)}%` : `−${Math.round(-ratio * 100)}% (the cascade cost more)`;
}
