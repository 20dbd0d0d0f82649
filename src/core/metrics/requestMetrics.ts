import type { TokenSource, Usage, Timeline } from '../runtime/timeline';
import { percentile } from './stats';

/**
 * Metrics of one request, derived only from the streaming primitive's timeline and usage (formulas in the README).
 * A metric that cannot be computed honestly is left undefined, never guessed.
 */
export interface RequestMetrics {
  /** sent − start: building messages and the request. */
  prepMs?: number;
  /** firstToken − sent: time to first token (reasoning or answer). */
  ttftMs?: number;
  /** firstAnswerToken − sent: time to the first visible answer token (reasoning models think first). */
  ttfatMs?: number;
  /** done − sent: end-to-end latency. */
  e2eMs?: number;
  /** (completion tokens − 1) / (done − firstToken): decode rate, TTFT excluded. */
  decodeTps?: number;
  /** completion tokens / E2E: what the user experiences, TTFT included. */
  e2eTps?: number;
  /** (done − firstToken) / (completion tokens − 1): time per output token. */
  tpotMs?: number;
  /** Median and p95 of the gaps between successive token-carrying chunks. */
  gapP50Ms?: number;
  gapP95Ms?: number;
  promptTokens?: number;
  completionTokens?: number;
  reasoningTokens?: number;
  tokenSource?: TokenSource;
}

export interface MetricInput {
  timeline: Timeline;
  usage?: Usage;
  tokenSource?: TokenSource;
}

export function deriveMetrics(r: MetricInput): RequestMetrics {
  const t = r.timeline;
  const m: RequestMetrics = {};
  const diff = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : undefined);
  m.prepMs = diff(t.sent, t.start);
  m.ttftMs = diff(t.firstToken, t.sent);
  m.ttfatMs = diff(t.firstAnswerToken, t.sent);
  m.e2eMs = diff(t.done, t.sent);
  if (r.usage) {
    m.promptTokens = r.usage.promptTokens;
    m.completionTokens = r.usage.completionTokens;
    if (r.usage.reasoningTokens !== undefined) m.reasoningTokens = r.usage.reasoningTokens;
    m.tokenSource = r.tokenSource ?? 'usage';
  }
  const n = m.completionTokens;
  const decodeMs = diff(t.done, t.firstToken);
  if (n !== undefined && n > 1 && decodeMs !== undefined && decodeMs > 0) {
    m.decodeTps = ((n - 1) / decodeMs) * 1000;
    m.tpotMs = decodeMs / (n - 1);
  }
  if (n !== undefined && n > 0 && m.e2eMs !== undefined && m.e2eMs > 0) m.e2eTps = (n / m.e2eMs) * 1000;
  if (t.tokenChunks.length > 1) {
    const gaps: number[] = [];
    for (let i = 1; i < t.tokenChunks.length; i++) gaps.push(t.tokenChunks[i] - t.tokenChunks[i - 1]);
    gaps.sort((a, b) => a - b);
    m.gapP50Ms = percentile(gaps, 50);
    m.gapP95Ms = percentile(gaps, 95);
  }
  return m;
}

export const METRIC_LABELS: Record<keyof RequestMetrics, { label: string; unit: string }> = {
  prepMs: { label: 'Prep', unit: 'ms' },
  ttftMs: { label: 'Time to first token', unit: 'ms' },
  ttfatMs: { label: 'Time to first answer token', unit: 'ms' },
  e2eMs: { label: 'End-to-end latency', unit: 'ms' },
  decodeTps: { label: 'Decode rate', unit: 'tokens/s' },
  e2eTps: { label: 'End-to-end rate', unit: 'tokens/s' },
  tpotMs: { label: 'Time per output token', unit: 'ms' },
  gapP50Ms: { label: 'Inter-chunk gap p50', unit: 'ms' },
  gapP95Ms: { label: 'Inter-chunk gap p95', unit: 'ms' },
  promptTokens: { label: 'Prompt tokens', unit: 'tokens' },
  completionTokens: { label: 'Completion tokens', unit: 'tokens' },
  reasoningTokens: { label: 'Reasoning tokens', unit: 'tokens' },
  tokenSource: { label: 'Token counts from', unit: '' },
};

/** Formats a metric for display: numbers rounded to what the measurement can support. */
export function formatMetric(key: keyof RequestMetrics, value: RequestMetrics[keyof RequestMetrics]): string {
  if (value === undefined) return 'n/a';
  if (typeof value === 'string') return value;
  const unit = METRIC_LABELS[key].unit;
  const digits = unit === 'tokens' ? 0 : value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}
