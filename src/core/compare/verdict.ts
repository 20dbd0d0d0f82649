import type { CostSimulation } from './cost';
import type { ModelSummary } from './types';

/** The workshop's rubric table per model, filled from measurements instead of adjectives. */
export interface VerdictCard {
  model: string;
  variantId?: string;
  coldLatency: string;
  memory: string;
  contextAdherence: string;
  cost: string;
  bestUse: string;
}

const secs = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

export function verdicts(summaries: ModelSummary[], costs: CostSimulation[]): VerdictCard[] {
  const usable = summaries.filter((s) => !s.error || s.ok > 0);
  const coldOf = (s: ModelSummary) => (s.load?.ms ?? 0) + (s.cold?.ttftMs ?? NaN);
  const fastestCold = Math.min(...usable.map(coldOf).filter(Number.isFinite));
  const ttftOf = (s: ModelSummary) => s.warm.ttftMs?.p50 ?? NaN;
  const decodeOf = (s: ModelSummary) => s.warm.decodeTps?.p50 ?? NaN;
  const bestTtft = Math.min(...usable.map(ttftOf).filter(Number.isFinite));
  const bestDecode = Math.max(...usable.map(decodeOf).filter(Number.isFinite));
  const bestQuality = Math.max(...usable.map((s) => s.quality?.overall ?? NaN).filter(Number.isFinite));

  return summaries.map((s) => {
    const card: VerdictCard = { model: s.requested, variantId: s.variantId, coldLatency: 'n/a', memory: 'n/a', contextAdherence: 'n/a', cost: 'n/a', bestUse: '—' };
    if (s.error && s.ok === 0) {
      card.bestUse = `not measured: ${s.error.message}`;
      return card;
    }
    const cold = coldOf(s);
    if (Number.isFinite(cold)) {
      const rel = cold === fastestCold ? 'fastest' : `${ratio(cold, fastestCold).toFixed(1)}× the fastest`;
      card.coldLatency = `${secs(cold)} (load ${secs(s.load?.ms ?? 0)} + first token ${secs(s.cold!.ttftMs!)}; ${rel})`;
    } else if (s.warm.ttftMs) {
      card.coldLatency = `not measured cold (run with cold start); warm TTFT p50 ${secs(s.warm.ttftMs.p50)}`;
    }
    const mem: string[] = [];
    if (s.fileSizeMb) mem.push(`${(s.fileSizeMb / 1024).toFixed(1)} GB on disk (catalog)`);
    if (s.load?.rssAfterMb !== undefined && s.load.rssBeforeMb !== undefined) mem.push(`runtime RSS +${(s.load.rssAfterMb - s.load.rssBeforeMb).toFixed(0)} MB on load`);
    if (mem.length) card.memory = mem.join('; ');
    const q: string[] = [];
    if (s.quality?.referenceMatch !== undefined) q.push(`reference match ${(s.quality.referenceMatch * 100).toFixed(0)}%`);
    if (s.quality && s.quality.judged > 0) q.push(`judge ${s.quality.overall.toFixed(1)}/5 (factuality ${s.quality.factuality.toFixed(1)})`);
    if (q.length) card.contextAdherence = q.join('; ');
    const c = costs.find((x) => x.model === s.requested);
    const costParts: string[] = [];
    const requests = s.ok + s.failed;
    if (requests) costParts.push(`${(s.busySeconds / requests).toFixed(1)} s busy per request`);
    if (c?.local?.per1kRequests !== undefined) costParts.push(`≈${c.local.per1kRequests.toFixed(3)} per 1k requests in energy (simulated)`);
    else if (c?.local) costParts.push(`${((c.local.kWh / Math.max(1, requests)) * 1000).toFixed(3)} kWh per 1k requests (simulated)`);
    if (costParts.length) card.cost = costParts.join('; ');
    const uses: string[] = [];
    if (usable.length > 1) {
      if (ttftOf(s) === bestTtft) uses.push('interactive and edge use (quickest first token)');
      if (decodeOf(s) === bestDecode) uses.push('long outputs (fastest decode)');
      if (Number.isFinite(bestQuality) && s.quality?.overall === bestQuality) uses.push('quality-critical answers (best judged)');
      if (!uses.length) uses.push('no measured advantage in this run');
    }
    if (uses.length) card.bestUse = uses.join('; ');
    return card;
  });
}
