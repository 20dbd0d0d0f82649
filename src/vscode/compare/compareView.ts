/**
 * What the Compare view shows, built from a comparison run with core's analysis (summarizeRun, simulateCost,
 * verdicts, diffRuns). Every figure is formatted here so the webview stays dumb; the charts get raw numbers.
 * No VS Code API (unit-tested).
 */
import type { EnergySettings, PriceEntry } from '../../core/compare/cost';
import { analyze, diffRuns } from '../../core/compare/exporters';
import { COMPARED_METRICS, ComparisonRun, MetricKey, ModelSummary, RequestRecord } from '../../core/compare/types';
import { verdicts } from '../../core/compare/verdict';
import { formatMetric, METRIC_LABELS, RequestMetrics, Stats } from '../../core/metrics';
import { LabError, LabErrorCode } from '../../core/runtime/errors';
import type {
  ChartDataView,
  CompareResultView,
  DiffView,
  LabelledValue,
  LiveRow,
  ModelResultView,
  QualityView,
  ResponseCell,
  ResponseGroup,
  SavedRunView,
} from '../../protocol';
import { adviceFor } from '../errorActions';
import { formatSize, RUNTIME_NAMES } from '../runtimeText';

export interface ViewOptions {
  prices: PriceEntry[];
  energy?: EnergySettings;
  origin: CompareResultView['origin'];
}

/** Lines per chart: beyond this the token timeline is unreadable anyway. */
export const MAX_TIMELINES = 60;
/** Points per timeline line (evenly thinned, the last kept). */
export const MAX_TIMELINE_POINTS = 120;

export function buildResultView(run: ComparisonRun, opts: ViewOptions): CompareResultView {
  const { summaries, costs } = analyze(run, { prices: opts.prices, energy: opts.energy });
  const c = run.config;
  const view: CompareResultView = {
    id: run.id,
    title: c.models.join(' vs '),
    startedAt: run.startedAt,
    origin: opts.origin,
    emulated: run.runtime.emulated,
    cancelled: run.cancelled,
    settingsLine: [
      `${c.promptSetName} (${c.prompts.length} prompt${c.prompts.length === 1 ? '' : 's'})`,
      `${c.runs} warm run${c.runs === 1 ? '' : 's'} per prompt`,
      `temperature ${c.temperature}`,
      `max tokens ${c.maxTokens}`,
      c.cold ? 'cold start measured' : 'cold start off (one untimed warm-up per model)',
      c.judge ? `judge ${c.judge}` : 'no judge',
    ].join(' · '),
    runtimeLine: `${run.runtime.kind ? RUNTIME_NAMES[run.runtime.kind] : 'unknown runtime'} at ${run.runtime.endpoint ?? 'unknown endpoint'}${run.runtime.emulated ? ' — EMULATOR (figures from the test emulator, not a model)' : ''}`,
    hostLine: `${run.host.platform} · ${run.host.arch} · ${run.host.cpuCount} × ${run.host.cpus} · ${run.host.memoryGb} GB · Node ${run.host.node} · Foundry Local Lab ${run.versions.foundryLocalLab}`,
    models: summaries.map((s) => modelView(s, run)),
    charts: chartData(run, summaries),
    responses: responseGroups(run),
    quality: qualityView(run, summaries),
    cost: {
      note:
        'Simulation, not a quote: this run\'s token counts × the prices in the setting foundryLab.compare.prices (per 1M tokens). ' +
        (opts.energy?.devicePowerWatts
          ? `Local energy = the device power you set (${opts.energy.devicePowerWatts} W, foundryLab.compare.devicePowerWatts) × the time each model spent answering${opts.energy.pricePerKWh !== undefined ? ` × ${opts.energy.pricePerKWh} per kWh` : ''}; nothing is measured.`
          : 'Set foundryLab.compare.devicePowerWatts to simulate local energy (power × time spent answering).'),
      priceNames: opts.prices.map((p) => p.name),
      rows: costs.map((cost, i) => {
        const s = summaries[i];
        return {
          model: cost.model,
          tokens: `${s.totalPromptTokens} in / ${s.totalCompletionTokens} out${s.tokenSource ? ` (${s.tokenSource})` : ''}`,
          cloud: cost.cloud.map((x) => `${money(x.cost)} (${money(x.per1kRequests)} per 1k requests)`),
          local: cost.local
            ? `${cost.local.kWh.toPrecision(2)} kWh${cost.local.cost !== undefined ? ` ≈ ${money(cost.local.cost)} (${money(cost.local.per1kRequests ?? 0)} per 1k requests)` : ''}`
            : 'n/a (no device power set)',
        };
      }),
    },
    verdicts: verdicts(summaries, costs),
  };
  if (run.error) {
    const advice = adviceFor(new LabError(run.error.code as LabErrorCode, run.error.message));
    view.error = { message: `The comparison stopped: ${advice.message} Results so far are kept.`, actions: advice.actions.map((a) => ({ title: a.title, action: a.command })) };
  }
  return view;
}

/** A number as the tables print it: whole above 100, one decimal below. */
export function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** Simulated money: enough significant digits to tell small sums apart, no currency (the user's prices decide it). */
export function money(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(2)));
}

function statCells(st: Stats) {
  return { n: st.n, p50: num(st.p50), p90: num(st.p90), p95: num(st.p95), p99: num(st.p99), min: num(st.min), max: num(st.max), stddev: num(st.stddev) };
}

function modelView(s: ModelSummary, run: ComparisonRun): ModelResultView {
  const records = run.requests.filter((r) => r.model === s.requested);
  const errors = new Map<string, number>();
  for (const r of records) if (r.error) errors.set(r.error.message, (errors.get(r.error.message) ?? 0) + 1);
  const cold: LabelledValue[] = [];
  const load = s.load?.ms !== undefined ? formatMetric('e2eMs', s.load.ms) : run.config.cold ? 'n/a' : 'not measured (already loaded or cold start off)';
  if (run.config.cold) {
    cold.push({ key: 'loadMs', label: 'Load time', value: load });
    for (const key of ['ttftMs', 'ttfatMs', 'e2eMs', 'decodeTps'] as const) {
      cold.push({ key, label: `Cold ${METRIC_LABELS[key].label.toLowerCase()}`, value: formatMetric(key, s.cold?.[key]) });
    }
  }
  const source = s.tokenSource ? ` (${s.tokenSource})` : '';
  const rssAfter = s.load?.rssAfterMb;
  const rssBefore = s.load?.rssBeforeMb;
  const facts: LabelledValue[] = [
    { key: 'variant', label: 'Variant', value: s.variantId ? `${s.variantId} · ${[s.device, s.executionProvider].filter(Boolean).join(' · ')}` : 'n/a (not resolved)' },
    { key: 'requests', label: 'Requests OK / failed', value: `${s.ok} / ${s.failed}` },
    { key: 'promptTokens', label: 'Prompt tokens (mean)', value: s.meanPromptTokens !== undefined ? `${s.meanPromptTokens.toFixed(0)}${source}` : 'n/a' },
    { key: 'completionTokens', label: 'Completion tokens (mean)', value: s.meanCompletionTokens !== undefined ? `${s.meanCompletionTokens.toFixed(0)}${source}` : 'n/a' },
    { key: 'loadMs', label: 'Load time', value: load },
    { key: 'catalogSize', label: 'Model size (catalog)', value: s.fileSizeMb !== undefined ? formatSize(s.fileSizeMb) : 'n/a (the runtime\'s model list does not say)' },
    {
      key: 'rss',
      label: 'Runtime memory (RSS) before → after load',
      value:
        rssBefore !== undefined && rssAfter !== undefined
          ? `${formatSize(rssBefore)} → ${formatSize(rssAfter)} (${rssAfter - rssBefore >= 0 ? '+' : ''}${(rssAfter - rssBefore).toFixed(0)} MB)`
          : run.config.cold
            ? 'n/a (the runtime process cannot be read here)'
            : 'n/a (measured with cold start only)',
    },
  ];
  return {
    requested: s.requested,
    variantId: s.variantId,
    device: s.device,
    executionProvider: s.executionProvider,
    ok: s.ok,
    failed: s.failed,
    error: s.error?.message,
    errors: [...errors].map(([message, count]) => ({ message, count })),
    warm: COMPARED_METRICS.map((key) => ({ key, label: METRIC_LABELS[key].label, unit: METRIC_LABELS[key].unit, cells: s.warm[key] ? statCells(s.warm[key]!) : undefined })),
    cold,
    facts,
    tokensEstimated: s.tokenSource === 'estimated',
  };
}

function warmValues(run: ComparisonRun, model: string, key: MetricKey): number[] {
  return run.requests
    .filter((r) => r.model === model && r.kind === 'warm' && !r.error)
    .map((r) => r.metrics[key])
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
}

const orNull = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export function chartData(run: ComparisonRun, summaries: ModelSummary[]): ChartDataView {
  const models = summaries.map((s) => s.requested);
  const index = new Map(models.map((m, i) => [m, i]));
  const timelines: ChartDataView['timelines'] = [];
  for (const r of run.requests) {
    if (timelines.length >= MAX_TIMELINES) break;
    const points = tokenTimeline(r);
    if (points.length < 2) continue;
    timelines.push({ model: index.get(r.model) ?? 0, label: `${r.model} · ${r.promptId} · ${runLabel(r, run.config.runs)}`, points });
  }
  return {
    models,
    ttft: summaries.map((s, i) => ({ model: i, values: warmValues(run, s.requested, 'ttftMs'), p50: s.warm.ttftMs?.p50 })),
    decode: summaries.map((s, i) => ({ model: i, values: warmValues(run, s.requested, 'decodeTps'), p50: s.warm.decodeTps?.p50 })),
    timelines,
    coldWarm: {
      load: summaries.map((s) => orNull(s.load?.ms)),
      coldTtft: summaries.map((s) => orNull(s.cold?.ttftMs)),
      warmTtft: summaries.map((s) => orNull(s.warm.ttftMs?.p50)),
      coldE2e: summaries.map((s) => orNull(s.cold?.e2eMs)),
      warmE2e: summaries.map((s) => orNull(s.warm.e2eMs?.p50)),
    },
  };
}

/**
 * Cumulative tokens over time (ms since the request was sent) from the raw timeline's token-carrying chunks. A chunk
 * may carry more than one token, so chunk counts are scaled to the completion tokens when those are known.
 */
export function tokenTimeline(r: Pick<RequestRecord, 'timeline' | 'usage'>): [number, number][] {
  const t = r.timeline;
  const chunks = t.tokenChunks;
  if (t.sent === undefined || !chunks.length) return [];
  const scale = r.usage && r.usage.completionTokens > 0 ? r.usage.completionTokens / chunks.length : 1;
  const round = (v: number) => Math.round(v * 10) / 10;
  const all: [number, number][] = chunks.map((at, i) => [round(at - t.sent!), round((i + 1) * scale)]);
  const step = Math.ceil(all.length / MAX_TIMELINE_POINTS);
  const thinned = step > 1 ? all.filter((_, i) => i % step === 0 || i === all.length - 1) : all;
  // Nothing until the first token: the flat start is the time to first token.
  return [[0, 0], [thinned[0][0], 0], ...thinned];
}

function runLabel(r: Pick<RequestRecord, 'kind' | 'repeat'>, runs: number): string {
  if (r.kind === 'warm') return `warm ${r.repeat + 1}/${runs}`;
  return r.kind === 'cold' ? 'cold' : 'warm-up (untimed)';
}

/** The short figures under a response and in the live table. */
function figures(m: RequestMetrics): string {
  const parts: string[] = [];
  if (m.ttftMs !== undefined) parts.push(`TTFT ${formatMetric('ttftMs', m.ttftMs)}`);
  if (m.decodeTps !== undefined) parts.push(formatMetric('decodeTps', m.decodeTps));
  if (m.e2eMs !== undefined) parts.push(`E2E ${formatMetric('e2eMs', m.e2eMs)}`);
  if (m.completionTokens !== undefined) parts.push(`${m.completionTokens} tokens (${m.tokenSource ?? 'usage'})`);
  return parts.join(' · ');
}

const KIND_ORDER = { cold: 0, warm: 1, warmup: 2 } as const;

export function responseGroups(run: ComparisonRun): ResponseGroup[] {
  return run.config.prompts.map((p) => ({
    promptId: p.id,
    prompt: p.prompt,
    reference: p.reference,
    columns: run.config.models.map((model) => {
      const cells = run.requests
        .filter((r) => r.model === model && r.promptId === p.id)
        .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.repeat - b.repeat)
        .map((r): ResponseCell => ({
          model,
          variantId: r.variantId,
          run: runLabel(r, run.config.runs),
          text: r.text,
          reasoning: r.reasoning,
          figures: figures(r.metrics),
          finishReason: r.finishReason,
          error: r.error?.message,
        }));
      const firstOk = cells.findIndex((c) => !c.error);
      const first = firstOk >= 0 ? firstOk : 0;
      return { model, first: cells[first], more: cells.filter((_, i) => i !== first) };
    }),
  }));
}

function qualityView(run: ComparisonRun, summaries: ModelSummary[]): QualityView | undefined {
  if (!run.config.judge && !run.judgements.length) return undefined;
  const score = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(1)} / 5`);
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${(v * 100).toFixed(0)}%`);
  return {
    judge: run.config.judge ?? run.judgements[0]?.judge ?? 'n/a',
    rows: summaries.map((s) => ({
      model: s.requested,
      coherence: score(s.quality?.coherence),
      factuality: score(s.quality?.factuality),
      conciseness: score(s.quality?.conciseness),
      overall: score(s.quality?.overall),
      referenceMatch: pct(s.quality?.referenceMatch),
      judged: s.quality?.judged ?? 0,
      judgeErrors: run.judgements.filter((j) => j.model === s.requested && j.error).length,
    })),
    judgements: run.judgements.map((j) => ({
      model: j.model,
      promptId: j.promptId,
      scores: j.score ? `coherence ${j.score.coherence} · factuality ${j.score.factuality} · conciseness ${j.score.conciseness}` : 'n/a',
      reason: j.score?.reason ?? '',
      referenceMatch: pct(j.referenceMatch),
      judgeTime: j.judgeMs !== undefined ? formatMetric('e2eMs', j.judgeMs) : 'n/a',
      error: j.error?.message,
    })),
  };
}

export function liveRow(r: RequestRecord): LiveRow {
  const m = r.metrics;
  return {
    seq: r.seq,
    model: r.model,
    variantId: r.variantId,
    promptId: r.promptId,
    kind: r.kind,
    repeat: r.repeat,
    ttft: formatMetric('ttftMs', m.ttftMs),
    decode: formatMetric('decodeTps', m.decodeTps),
    e2e: formatMetric('e2eMs', m.e2eMs),
    tokens: m.completionTokens !== undefined ? `${m.completionTokens}${m.tokenSource && m.tokenSource !== 'usage' ? ` (${m.tokenSource})` : ''}` : 'n/a',
    error: r.error?.message,
  };
}

export function savedRunView(key: string, run: ComparisonRun): SavedRunView {
  const ok = run.requests.filter((r) => !r.error).length;
  const flags = [run.runtime.emulated ? 'EMULATOR' : '', run.cancelled ? 'cancelled' : '', run.error ? 'stopped' : ''].filter(Boolean);
  return {
    key,
    title: run.config.models.join(' vs '),
    detail: `${run.config.promptSetName} · ${run.config.runs} run${run.config.runs === 1 ? '' : 's'} · ${ok}/${run.requests.length} requests OK${flags.length ? ` · ${flags.join(' · ')}` : ''}`,
    startedAt: run.startedAt,
    emulated: run.runtime.emulated,
  };
}

/** Metrics where a smaller number is better. */
const LOWER_IS_BETTER: ReadonlySet<MetricKey> = new Set(['ttftMs', 'ttfatMs', 'tpotMs', 'e2eMs']);
/** Changes within ±3% are reported as the same: run-to-run noise. */
const SAME_WITHIN = 0.03;

export function diffView(before: { key: string; run: ComparisonRun }, after: { key: string; run: ComparisonRun }): DiffView {
  const label = (x: { run: ComparisonRun }) => `${x.run.config.models.join(' vs ')} — ${x.run.startedAt}`;
  return {
    before: { key: before.key, label: label(before) },
    after: { key: after.key, label: label(after) },
    rows: diffRuns(before.run, after.run).map((d) => {
      let change: DiffView['rows'][number]['change'] = 'n/a';
      if (d.ratio !== undefined && Number.isFinite(d.ratio)) {
        if (Math.abs(d.ratio - 1) <= SAME_WITHIN) change = 'same';
        else change = (d.ratio < 1) === LOWER_IS_BETTER.has(d.metric) ? 'better' : 'worse';
      }
      return {
        model: d.model,
        metric: `${METRIC_LABELS[d.metric].label} (${METRIC_LABELS[d.metric].unit}), warm p50`,
        before: num(d.before),
        after: num(d.after),
        ratio: d.ratio !== undefined && Number.isFinite(d.ratio) ? `${d.ratio.toFixed(2)}×` : 'n/a',
        change,
      };
    }),
  };
}
