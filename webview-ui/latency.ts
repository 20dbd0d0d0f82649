/** The latency bar's geometry, from the metrics core derived. Pure (unit-tested). */
import type { RequestMetrics } from '../src/core/metrics/requestMetrics';

export type SegmentKey = 'prep' | 'ttft' | 'generation';

export interface LatencySegment {
  key: SegmentKey;
  label: string;
  ms: number;
}

/**
 * prep (building the request) · time to first token · generation (first token → done). Segments that were not
 * reached (a request that failed before its first token) are left out rather than drawn as zero.
 */
export function latencySegments(m: Pick<RequestMetrics, 'prepMs' | 'ttftMs' | 'e2eMs'>): LatencySegment[] {
  const out: LatencySegment[] = [];
  if (m.prepMs !== undefined) out.push({ key: 'prep', label: 'prep', ms: Math.max(0, m.prepMs) });
  if (m.ttftMs !== undefined) out.push({ key: 'ttft', label: 'time to first token', ms: Math.max(0, m.ttftMs) });
  if (m.ttftMs !== undefined && m.e2eMs !== undefined) out.push({ key: 'generation', label: 'generation', ms: Math.max(0, m.e2eMs - m.ttftMs) });
  else if (m.e2eMs !== undefined) out.push({ key: 'ttft', label: 'waited (no token)', ms: Math.max(0, m.e2eMs) });
  return out;
}

export function totalMs(segments: LatencySegment[]): number {
  return segments.reduce((sum, s) => sum + s.ms, 0);
}

/** Milliseconds as people read them: "850 ms", "12.4 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
