import { formatMetric, METRIC_LABELS } from '../metrics';
import { summarizeRun } from './aggregate';
import { CostSimulation, EnergySettings, PriceEntry, simulateCost } from './cost';
import { COMPARED_METRICS, COMPARISON_FORMAT, ComparisonRun, MetricKey, ModelSummary } from './types';
import { verdicts } from './verdict';

export function toJson(run: ComparisonRun): string {
  return JSON.stringify(run, null, 2) + '\n';
}

/** Reads an exported run back; rejects anything that is not one, with a reason. */
export function fromJson(text: string): ComparisonRun {
  let obj: any;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new Error(`Not a comparison export: not JSON (${(e as Error).message})`);
  }
  if (obj?.format !== COMPARISON_FORMAT) throw new Error(`Not a comparison export: format is ${JSON.stringify(obj?.format)}, expected ${COMPARISON_FORMAT}`);
  if (!Array.isArray(obj.models) || !Array.isArray(obj.requests) || !obj.config || !Array.isArray(obj.config.models)) {
    throw new Error('Not a comparison export: models, requests or config missing');
  }
  obj.judgements ??= [];
  return obj as ComparisonRun;
}

export const CSV_COLUMNS = [
  'run_id', 'seq', 'model', 'variant_id', 'prompt_id', 'kind', 'repeat', 'emulated',
  'prep_ms', 'ttft_ms', 'ttfat_ms', 'e2e_ms', 'decode_tps', 'e2e_tps', 'tpot_ms', 'gap_p50_ms', 'gap_p95_ms',
  'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'token_source', 'finish_reason', 'error_code', 'error_message',
] as const;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per request. Cells that start like a formula are quoted so spreadsheets don't evaluate them. */
export function toCsv(run: ComparisonRun): string {
  const rows = run.requests.map((r) => {
    const m = r.metrics;
    return [
      run.id, r.seq, r.model, r.variantId, r.promptId, r.kind, r.repeat, r.emulated,
      m.prepMs, m.ttftMs, m.ttfatMs, m.e2eMs, m.decodeTps, m.e2eTps, m.tpotMs, m.gapP50Ms, m.gapP95Ms,
      m.promptTokens, m.completionTokens, m.reasoningTokens, m.tokenSource, r.finishReason, r.error?.code, r.error?.message,
    ].map(csvCell).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export interface ReportOptions {
  prices: PriceEntry[];
  energy?: EnergySettings;
}

export function analyze(run: ComparisonRun, opts: ReportOptions): { summaries: ModelSummary[]; costs: CostSimulation[] } {
  const summaries = summarizeRun(run);
  return { summaries, costs: summaries.map((s) => simulateCost(s, opts.prices, opts.energy)) };
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function toMarkdown(run: ComparisonRun, opts: ReportOptions): string {
  const { summaries, costs } = analyze(run, opts);
  const out: string[] = [];
  out.push(`# Model comparison — ${run.config.models.join(' vs ')}`, '');
  if (run.runtime.emulated) out.push('> **EMULATOR** — these figures come from the Foundry Local Lab test emulator, not from a model.', '');
  out.push(
    `- Run \`${run.id}\`, ${run.startedAt}${run.cancelled ? ' (cancelled: partial results)' : ''}${run.error ? ` (stopped: ${md(run.error.message)})` : ''}`,
    `- Runtime: ${run.runtime.kind ?? 'unknown'} at ${run.runtime.endpoint ?? 'unknown'}`,
    `- Host: ${run.host.platform}, ${run.host.arch}, ${run.host.cpuCount} × ${run.host.cpus}, ${run.host.memoryGb} GB`,
    `- Prompts: ${run.config.promptSetName} (${run.config.prompts.length}), ${run.config.runs} warm run(s) each, temperature ${run.config.temperature}, max tokens ${run.config.maxTokens}, ${run.config.cold ? 'cold start measured' : 'one untimed warm-up per model'}`,
    '',
    '## Models',
    '',
    '| Model | Variant | Device | Load | OK / failed |',
    '|---|---|---|---|---|',
  );
  for (const s of summaries) {
    out.push(`| ${md(s.requested)} | ${md(s.variantId ?? 'n/a')} | ${s.device ?? 'n/a'}${s.executionProvider ? ` (${s.executionProvider})` : ''} | ${s.load?.ms !== undefined ? `${s.load.ms.toFixed(0)} ms` : 'n/a'} | ${s.ok} / ${s.failed}${s.error ? ` — ${md(s.error.message)}` : ''} |`);
  }
  out.push('', '## Warm runs (p50 · p95 · min–max · stddev)', '', `| Metric | ${summaries.map((s) => md(s.requested)).join(' | ')} |`, `|---|${summaries.map(() => '---').join('|')}|`);
  for (const key of COMPARED_METRICS) {
    out.push(`| ${METRIC_LABELS[key].label} (${METRIC_LABELS[key].unit}) | ${summaries.map((s) => statCell(s, key)).join(' | ')} |`);
  }
  out.push(`| Mean prompt / completion tokens | ${summaries.map((s) => (s.meanPromptTokens !== undefined ? `${s.meanPromptTokens.toFixed(0)} / ${s.meanCompletionTokens!.toFixed(0)}${s.tokenSource === 'estimated' ? ' (estimated)' : ''}` : 'n/a')).join(' | ')} |`);
  out.push('', '## Cold start', '', '| Model | Load | TTFT | E2E |', '|---|---|---|---|');
  for (const s of summaries) {
    out.push(`| ${md(s.requested)} | ${s.load?.ms !== undefined ? `${s.load.ms.toFixed(0)} ms` : 'n/a'} | ${formatMetric('ttftMs', s.cold?.ttftMs)} | ${formatMetric('e2eMs', s.cold?.e2eMs)} |`);
  }
  if (run.judgements.length) {
    out.push('', '## Quality', '', '| Model | Coherence | Factuality | Conciseness | Reference match | Judged |', '|---|---|---|---|---|---|');
    // A model none of whose answers the judge scored has no means: n/a, and the Judged column says why.
    const score = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(1) : 'n/a');
    for (const s of summaries) {
      const q = s.quality;
      const mine = run.judgements.filter((j) => j.model === s.requested);
      const failed = mine.filter((j) => j.error);
      const judged = `${q?.judged ?? 0} of ${mine.length}${failed.length ? ` (${failed.length} failed: ${md(failed[0].error!.message.slice(0, 80))})` : ''}`;
      out.push(`| ${md(s.requested)} | ${score(q?.coherence)} | ${score(q?.factuality)} | ${score(q?.conciseness)} | ${q?.referenceMatch !== undefined ? `${(q.referenceMatch * 100).toFixed(0)}%` : 'n/a'} | ${judged} |`);
    }
  }
  out.push('', '## Cost simulation', '', '_Simulated: this run\'s token counts at hypothetical prices; local energy from the device power you gave. Not a quote._', '');
  out.push(`| Model | ${costs[0]?.cloud.map((c) => md(c.name)).join(' | ') ?? ''} | Local energy |`, `|---|${costs[0]?.cloud.map(() => '---').join('|') ?? ''}|---|`);
  for (const c of costs) {
    out.push(`| ${md(c.model)} | ${c.cloud.map((x) => `${x.cost.toFixed(5)} (${x.per1kRequests.toFixed(3)} / 1k req)`).join(' | ')} | ${c.local ? `${c.local.kWh.toExponential(2)} kWh${c.local.cost !== undefined ? ` ≈ ${c.local.cost.toFixed(5)}` : ''}` : 'n/a (no device power set)'} |`);
  }
  out.push('', '## Verdict', '', '| Model | Latency (cold) | Memory | Context adherence | Cost (local) | Best use |', '|---|---|---|---|---|---|');
  for (const v of verdicts(summaries, costs)) out.push(`| ${md(v.model)} | ${md(v.coldLatency)} | ${md(v.memory)} | ${md(v.contextAdherence)} | ${md(v.cost)} | ${md(v.bestUse)} |`);
  out.push('', '## Formulas', '', 'TTFT = first token − sent; decode rate = (completion tokens − 1) / (done − first token); E2E rate = completion tokens / (done − sent); TPOT = (done − first token) / (completion tokens − 1). Warm runs only in the distributions; the cold run is reported apart.', '');
  return out.join('\n');
}

function statCell(s: ModelSummary, key: MetricKey): string {
  const st = s.warm[key];
  if (!st) return 'n/a';
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `${f(st.p50)} · ${f(st.p95)} · ${f(st.min)}–${f(st.max)} · ±${f(st.stddev)}`;
}

export interface MetricDiff {
  model: string;
  metric: MetricKey;
  before?: number;
  after?: number;
  /** after / before of the p50s. */
  ratio?: number;
}

/** Compares two runs model by model on the warm p50s (models matched by what was requested). */
export function diffRuns(before: ComparisonRun, after: ComparisonRun): MetricDiff[] {
  const a = summarizeRun(before);
  const b = summarizeRun(after);
  const diffs: MetricDiff[] = [];
  for (const sb of b) {
    const sa = a.find((x) => x.requested === sb.requested);
    for (const metric of COMPARED_METRICS) {
      const x = sa?.warm[metric]?.p50;
      const y = sb.warm[metric]?.p50;
      if (x === undefined && y === undefined) continue;
      diffs.push({ model: sb.requested, metric, before: x, after: y, ratio: x && y !== undefined ? y / x : undefined });
    }
  }
  return diffs;
}
