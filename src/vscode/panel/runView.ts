/** Turns runChat's outcome into what the panel shows. No VS Code API (unit-tested). */
import { deriveMetrics, formatMetric, METRIC_LABELS, RequestMetrics } from '../../core/metrics';
import type { RunChatOutcome } from '../../core/runtime/chat';
import type { ModelVariant } from '../../core/runtime/types';
import type { HistoryEntry, MetricRow, RunView } from '../../protocol';
import { adviceFor } from '../errorActions';

/** The table's rows, in reading order. Reasoning tokens only when the runtime reported them. */
export const METRIC_ORDER: (keyof RequestMetrics)[] = [
  'prepMs',
  'ttftMs',
  'ttfatMs',
  'e2eMs',
  'decodeTps',
  'e2eTps',
  'tpotMs',
  'gapP50Ms',
  'gapP95Ms',
  'promptTokens',
  'completionTokens',
  'reasoningTokens',
  'tokenSource',
];

export const HISTORY_LENGTH = 12;

export function metricRows(m: RequestMetrics): MetricRow[] {
  return METRIC_ORDER.filter((key) => key !== 'reasoningTokens' || m.reasoningTokens !== undefined).map((key) => ({
    key,
    label: METRIC_LABELS[key].label,
    value: formatMetric(key, m[key]),
  }));
}

export function modelSummary(m: Pick<ModelVariant, 'id' | 'device' | 'executionProvider'>): RunView['model'] {
  return { id: m.id, device: m.device, executionProvider: m.executionProvider };
}

/** The finished run: text as streamed, metrics from the timeline, the error as advice with actions. */
export function finishedRun(runId: number, requested: string, outcome: RunChatOutcome, runtimeEmulated: boolean): RunView {
  const { result, model, loadMs } = outcome;
  const metrics = deriveMetrics(result);
  const code = result.error?.code;
  const advice = result.error && code !== 'aborted' ? adviceFor(result.error) : undefined;
  return {
    runId,
    requested,
    phase: code === 'aborted' ? 'stopped' : result.error ? 'failed' : 'done',
    model: model ? modelSummary(model) : undefined,
    text: result.text,
    reasoning: result.reasoning,
    metrics,
    metricRows: metricRows(metrics),
    loadMs,
    finishReason: result.finishReason,
    emulated: result.emulated || runtimeEmulated,
    error: advice && code ? { code, message: advice.message, actions: advice.actions.map((a) => ({ title: a.title, action: a.command })) } : undefined,
  };
}

export function historyEntry(run: RunView): HistoryEntry {
  return {
    runId: run.runId,
    model: run.model?.id ?? run.requested,
    device: run.model?.device,
    prepMs: run.metrics?.prepMs,
    ttftMs: run.metrics?.ttftMs,
    e2eMs: run.metrics?.e2eMs,
    outcome: run.phase === 'done' ? 'done' : run.phase === 'stopped' ? 'stopped' : 'failed',
  };
}

/** Appends, keeping the most recent HISTORY_LENGTH entries. */
export function appendHistory(history: HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return [...history, entry].slice(-HISTORY_LENGTH);
}
