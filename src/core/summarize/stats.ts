import type { SummaryResult } from './pipeline';

/** Running figures across many summaries (kept per workspace): how often the cascade escalated and what it cost. */
export interface SummaryStats {
  count: number;
  escalated: number;
  totalMs: number;
  totalCost: number;
  /** Summaries that also ran the always-large-model baseline, and its totals over them. */
  baselineCount: number;
  baselineMs: number;
  baselineCost: number;
  /** The cascade's totals over the same summaries that have a baseline, for a like-for-like saving. */
  cascadeMsWithBaseline: number;
  cascadeCostWithBaseline: number;
}

export const EMPTY_STATS: SummaryStats = {
  count: 0,
  escalated: 0,
  totalMs: 0,
  totalCost: 0,
  baselineCount: 0,
  baselineMs: 0,
  baselineCost: 0,
  cascadeMsWithBaseline: 0,
  cascadeCostWithBaseline: 0,
};

export function addToStats(stats: SummaryStats, r: SummaryResult): SummaryStats {
  if (r.error || r.cancelled) return stats; // only complete summaries count
  const next = { ...stats, count: stats.count + 1, escalated: stats.escalated + (r.refined ? 1 : 0), totalMs: stats.totalMs + r.totalMs, totalCost: stats.totalCost + (r.blendedCost ?? 0) };
  if (r.baseline && !r.baseline.error && r.baseline.metrics.e2eMs !== undefined) {
    next.baselineCount++;
    next.baselineMs += r.baseline.metrics.e2eMs;
    next.baselineCost += r.baseline.cost ?? 0;
    next.cascadeMsWithBaseline += r.totalMs;
    next.cascadeCostWithBaseline += r.blendedCost ?? 0;
  }
  return next;
}

/**
 * A summary already counted changed (its baseline was measured on demand afterwards): takes its old contribution out
 * and puts the new one in, so it still counts once.
 */
export function restateInStats(stats: SummaryStats, before: SummaryResult, after: SummaryResult): SummaryStats {
  const was = addToStats(EMPTY_STATS, before);
  const now = addToStats(EMPTY_STATS, after);
  const out = { ...stats };
  for (const key of Object.keys(EMPTY_STATS) as (keyof SummaryStats)[]) out[key] = Math.max(0, stats[key] - was[key] + now[key]);
  return out;
}

/** Reads stored stats defensively (old or corrupt data → empty). */
export function parseStats(raw: unknown): SummaryStats {
  if (!raw || typeof raw !== 'object') return { ...EMPTY_STATS };
  const out = { ...EMPTY_STATS };
  for (const key of Object.keys(EMPTY_STATS) as (keyof SummaryStats)[]) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return out;
}

export function describeStats(s: SummaryStats): { escalationRate?: number; avgMs?: number; avgCost?: number; baselineAvgMs?: number; cascadeAvgMsVsBaseline?: number; savingMsRatio?: number; savingCostRatio?: number } {
  if (!s.count) return {};
  const d: ReturnType<typeof describeStats> = { escalationRate: s.escalated / s.count, avgMs: s.totalMs / s.count, avgCost: s.totalCost / s.count };
  if (s.baselineCount) {
    d.baselineAvgMs = s.baselineMs / s.baselineCount;
    d.cascadeAvgMsVsBaseline = s.cascadeMsWithBaseline / s.baselineCount;
    d.savingMsRatio = s.baselineMs > 0 ? 1 - s.cascadeMsWithBaseline / s.baselineMs : undefined;
    d.savingCostRatio = s.baselineCost > 0 ? 1 - s.cascadeCostWithBaseline / s.baselineCost : undefined;
  }
  return d;
}
