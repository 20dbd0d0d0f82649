import { summarize } from '../metrics';
import type { TokenSource } from '../runtime/timeline';
import { COMPARED_METRICS, ComparisonRun, ModelSummary } from './types';

const SOURCE_RANK: Record<TokenSource, number> = { usage: 0, counted: 1, estimated: 2 };

/** Per-model figures from a run's raw records: cold apart, warm as distributions. */
export function summarizeRun(run: ComparisonRun): ModelSummary[] {
  return run.models.map((m) => {
    const records = run.requests.filter((r) => r.model === m.requested);
    const ok = records.filter((r) => !r.error);
    const warm = ok.filter((r) => r.kind === 'warm');
    const cold = ok.find((r) => r.kind === 'cold');
    const summary: ModelSummary = {
      requested: m.requested,
      variantId: m.resolved?.id,
      device: m.resolved?.device,
      executionProvider: m.resolved?.executionProvider,
      fileSizeMb: m.resolved?.fileSizeMb,
      load: m.load,
      cold: cold?.metrics,
      warm: {},
      ok: ok.length,
      failed: records.length - ok.length,
      totalPromptTokens: 0,
      totalCompletionTokens: 0,
      busySeconds: records.reduce((s, r) => s + (r.metrics.e2eMs ?? 0), 0) / 1000,
      error: m.error,
    };
    for (const key of COMPARED_METRICS) {
      const stats = summarize(warm.map((r) => r.metrics[key]).filter((v): v is number => v !== undefined));
      if (stats) summary.warm[key] = stats;
    }
    const counted = records.filter((r) => r.usage);
    for (const r of counted) {
      summary.totalPromptTokens += r.usage!.promptTokens;
      summary.totalCompletionTokens += r.usage!.completionTokens;
      if (r.tokenSource && (!summary.tokenSource || SOURCE_RANK[r.tokenSource] > SOURCE_RANK[summary.tokenSource])) summary.tokenSource = r.tokenSource;
    }
    if (counted.length) {
      summary.meanPromptTokens = summary.totalPromptTokens / counted.length;
      summary.meanCompletionTokens = summary.totalCompletionTokens / counted.length;
    }
    const judged = run.judgements.filter((j) => j.model === m.requested);
    const scored = judged.filter((j) => j.score);
    const refs = judged.filter((j) => j.referenceMatch !== undefined);
    if (scored.length || refs.length) {
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
      const c = mean(scored.map((j) => j.score!.coherence));
      const f = mean(scored.map((j) => j.score!.factuality));
      const k = mean(scored.map((j) => j.score!.conciseness));
      summary.quality = { coherence: c, factuality: f, conciseness: k, overall: (c + f + k) / 3, judged: scored.length };
      if (refs.length) summary.quality.referenceMatch = mean(refs.map((j) => j.referenceMatch!));
    }
    return summary;
  });
}
