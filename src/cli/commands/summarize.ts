import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_PRICES } from '../../core/compare/cost';
import { formatMetric } from '../../core/metrics';
import { DEFAULT_POLICY, EscalationPolicyConfig } from '../../core/summarize/escalationPolicy';
import { DEFAULT_SUMMARIZE, StageResult, summarize, SummarizeConfig, SummaryResult } from '../../core/summarize/pipeline';
import { addToStats, describeStats, EMPTY_STATS, parseStats, SummaryStats } from '../../core/summarize/stats';
import { connect, EMULATOR_NOTE } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, describeError, EXIT_OK, EXIT_RUNTIME, UsageError } from '../output';

export interface SummarizeCommandOptions {
  /** Files to summarize, one summary each; none = stdin. */
  files: string[];
  draft?: string;
  refine?: string;
  force?: 'always' | 'never';
  baseline: boolean;
  /** A JSON file of running figures, read and updated (the editor keeps the same figures per workspace). */
  statsFile?: string;
  flaggedTopics?: string;
  draftLongerThan?: number;
}

interface Input {
  name: string;
  text: string;
  /** Said on stderr before the run (e.g. invalid UTF-8 replaced). */
  warning?: string;
}

/**
 * `foundry-lab summarize`: the draft → refine cascade on files or stdin. Texts stream to stdout (the draft, then the
 * refinement when the policy escalates), stage metrics follow; progress goes to stderr. Several files: one summary
 * each, then the escalation rate and averages across them.
 */
export async function runSummarizeCommand(global: GlobalOptions, opts: SummarizeCommandOptions, io: CliIO): Promise<number> {
  const inputs = opts.files.length ? opts.files.map(readInput) : [await readStdin()];
  for (const input of inputs) {
    if (!input.text.trim()) throw new UsageError(`${input.name} is empty: there is nothing to summarize.`);
  }
  for (const input of inputs) if (input.warning) io.stderr(`warning: ${input.warning}\n`);
  const config = summarizeConfigFrom(opts, io, global.idleTimeoutMs);
  const conn = connect(global, io);
  let stats: SummaryStats = opts.statsFile ? readStats(opts.statsFile) : { ...EMPTY_STATS };
  const runStats = { ...EMPTY_STATS };
  let across: SummaryStats = runStats;
  const results: (SummaryResult & { source: string })[] = [];
  let emulatorNoted = false;
  let failed = false;

  for (const input of inputs) {
    if (io.signal.aborted) break;
    if (inputs.length > 1 && !global.json) io.stdout(`\n=== ${input.name} (${input.text.length} characters) ===\n`);
    let streamed = false;
    const r = await summarize(conn, input.text, config, {
      signal: io.signal,
      baseline: opts.baseline,
      onStage: (stage, detail) => {
        if (streamed) io.stdout('\n');
        streamed = false;
        // A section's detail is "section k/n" already.
        io.stderr(`[${stage === 'section' ? detail : stage} ${stage === 'refine' || stage === 'baseline' ? config.refineModel : config.draftModel}${stage === 'section' ? '' : ` → ${detail}`}]\n`);
        if (global.json) return;
        if (stage === 'draft' || stage === 'combine') io.stdout(`--- Draft (${config.draftModel}) ---\n`);
        if (stage === 'refine') io.stdout(`--- Final (refined by ${config.refineModel}) ---\n`);
        if (stage === 'baseline') io.stdout(`--- ${config.refineModel} alone (baseline) ---\n`);
      },
      onDecision: (d) => {
        if (global.json) return;
        if (streamed) io.stdout('\n');
        streamed = false;
        const why = d.hits.map((h) => `${h.rule}: ${h.detail}`).join('; ');
        if (d.escalate) io.stdout(`\nEscalation: refine — ${why}\n`);
        else io.stdout(`\nEscalation: none — ${d.forced === 'never' ? `refinement turned off${why ? ` (would have fired: ${why})` : ''}` : 'no rule fired'}; the draft is final.\n`);
      },
      onDelta: (stage, d) => {
        if (global.json || stage === 'section' || !d.answer) return;
        io.stdout(d.answer);
        streamed = true;
      },
    });
    if (streamed) io.stdout('\n');
    results.push({ source: input.name, ...r });
    stats = addToStats(stats, r);
    across = addToStats(across, r);
    if (r.emulated && !emulatorNoted) {
      io.stderr(`${EMULATOR_NOTE}\n`);
      emulatorNoted = true;
    }
    if (!global.json) io.stdout(describeResult(r, config) + '\n');
    if (r.error) {
      failed = true;
      io.stderr(`foundry-lab: ${input.name}: ${describeError(r.error)}\n`);
    }
    if (r.refineError) io.stderr(`foundry-lab: ${input.name}: the refinement failed — the draft is kept as the final summary: ${describeError(r.refineError)}\n`);
    if (r.baselineError ?? r.baseline?.error) io.stderr(`foundry-lab: ${input.name}: the baseline failed: ${describeError((r.baselineError ?? r.baseline!.error)!)}\n`);
    for (const s of r.stages) {
      if (s.finishReason === 'length' && !s.error) io.stderr(`warning: ${input.name}: the ${s.stage}${s.index !== undefined ? ` ${s.index + 1}` : ''} was cut by its token limit (finish_reason: length) and may end mid-sentence${s.stage === 'refine' ? '; --never-refine keeps the draft instead' : s.stage === 'baseline' ? '' : ' (a cut draft counts as low confidence: the policy refines it)'}.\n`);
    }
    if (r.cancelled) {
      failed = true;
      io.stderr(`foundry-lab: ${input.name}: cancelled — ${r.draft ? 'the draft is kept' : r.stages.length ? 'the stages that finished are kept' : 'nothing had finished yet'}.\n`);
    }
  }

  if (opts.statsFile) writeFileSync(opts.statsFile, JSON.stringify(stats, null, 2) + '\n');
  const shown = opts.statsFile ? stats : across;
  if (global.json) {
    io.stdout(JSON.stringify({ summaries: results, stats: shown, described: describeStats(shown), statsFile: opts.statsFile }, null, 2) + '\n');
  } else if (inputs.length > 1 || opts.statsFile) {
    io.stdout(`\n${describeAcross(shown, config, opts.statsFile)}\n`);
  }
  return failed ? EXIT_RUNTIME : EXIT_OK;
}

export function summarizeConfigFrom(opts: SummarizeCommandOptions, io: CliIO, idleTimeoutMs: number): SummarizeConfig {
  const policy: EscalationPolicyConfig = { ...DEFAULT_POLICY, lowConfidence: { ...DEFAULT_POLICY.lowConfidence } };
  if (opts.force) policy.force = opts.force;
  if (opts.flaggedTopics) policy.flaggedTopics = opts.flaggedTopics.split(',').map((t) => t.trim()).filter(Boolean);
  if (opts.draftLongerThan !== undefined) policy.draftLongerThan = opts.draftLongerThan;
  return {
    ...DEFAULT_SUMMARIZE,
    draftModel: opts.draft ?? 'phi-4-mini',
    refineModel: opts.refine ?? 'gpt-oss-20b',
    policy,
    prices: { draft: DEFAULT_PRICES[0], refine: DEFAULT_PRICES[1] },
    idleTimeoutMs,
  };
}

function describeResult(r: SummaryResult, config: SummarizeConfig): string {
  if (r.error && !r.stages.length) return '';
  const lines = [''];
  lines.push(r.refined ? `Final: refined by ${config.refineModel}.` : r.refineError ? 'Final: the draft (the refinement failed).' : r.cancelled ? 'Stopped: what finished is kept.' : 'Final: the draft.');
  if (r.sections > 1) lines.push(`Input: ${r.sourceChars} characters in ${r.sections} sections (summarized one by one, then combined).`);
  lines.push('Stages:');
  for (const s of r.stages) lines.push(`  ${stageLine(s)}`);
  lines.push(`Total: ${ms(r.totalMs)} (the stages' end-to-end latency; model loads apart)${r.blendedCost !== undefined ? ` · blended cost ${usd(r.blendedCost)} (simulated at example prices)` : ''}`);
  const b = r.baseline;
  if (b && !b.error && b.metrics.e2eMs !== undefined) {
    lines.push('Baseline (the large model alone on the same input; not in the total):', `  ${stageLine(b)}`);
    const saved = 1 - r.totalMs / b.metrics.e2eMs;
    const costSaved = b.cost && r.blendedCost !== undefined ? 1 - r.blendedCost / b.cost : undefined;
    lines.push(`Cascade vs ${config.refineModel} alone: ${ms(r.totalMs)} vs ${ms(b.metrics.e2eMs)} (${signed(saved, 'less time', 'more time')})${costSaved !== undefined ? `, ${usd(r.blendedCost!)} vs ${usd(b.cost!)} (${signed(costSaved, 'cheaper', 'more expensive')})` : ''}.`);
  }
  return lines.join('\n');
}

function stageLine(s: StageResult): string {
  const m = s.metrics;
  const parts = [
    `${`${s.stage}${s.index !== undefined ? ` ${s.index + 1}` : ''}`.padEnd(10)} ${s.variantId ?? s.model}${s.device ? ` (${s.device})` : ''}`,
    `TTFT ${formatMetric('ttftMs', m.ttftMs)}`,
    `decode ${formatMetric('decodeTps', m.decodeTps)}`,
    `E2E ${formatMetric('e2eMs', m.e2eMs)}`,
    `${m.promptTokens ?? 'n/a'} prompt + ${m.completionTokens ?? 'n/a'} completion tokens${m.tokenSource === 'estimated' ? ' (estimated)' : ''}`,
  ];
  if (s.loadMs !== undefined) parts.push(`load ${ms(s.loadMs)} before (apart)`);
  if (s.finishReason) parts.push(`finish ${s.finishReason}`);
  if (s.error) parts.push(`error [${s.error.code}] ${s.error.message}`);
  return parts.join(' · ');
}

function describeAcross(s: SummaryStats, config: SummarizeConfig, file?: string): string {
  const d = describeStats(s);
  if (!s.count) return `No complete summaries${file ? ` in ${file}` : ''}.`;
  const lines = [`Across ${s.count} summar${s.count === 1 ? 'y' : 'ies'}${file ? ` (${file})` : ''}:`];
  lines.push(`  Escalation rate: ${pct(d.escalationRate!)} (${s.escalated} of ${s.count} refined by ${config.refineModel})`);
  lines.push(`  Average latency: ${ms(d.avgMs!)} · average blended cost ${usd(d.avgCost!)} (simulated)`);
  if (s.baselineCount) {
    lines.push(`  On the ${s.baselineCount} with a baseline: cascade ${ms(d.cascadeAvgMsVsBaseline!)} vs ${config.refineModel} alone ${ms(d.baselineAvgMs!)} on average`);
    if (d.savingMsRatio !== undefined) lines.push(`  Saved: ${signed(d.savingMsRatio, 'less time', 'more time')}${d.savingCostRatio !== undefined ? `, ${signed(d.savingCostRatio, 'cheaper', 'more expensive')}` : ''}`);
  } else lines.push('  No baseline measured (--baseline runs the large model alone on the same input).');
  return lines.join('\n');
}

function readInput(file: string): Input {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeText(basename(file), bytes);
}

async function readStdin(): Promise<Input> {
  if (process.stdin.isTTY) throw new UsageError('summarize needs text: --file FILE, or pipe it in (foundry-lab summarize < brief.txt).');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeText('stdin', Buffer.concat(chunks));
}

/**
 * Text in, whatever the bytes: a binary file (NUL bytes near the start) is refused; invalid UTF-8 is decoded with
 * U+FFFD for the bad sequences, and said so, rather than failing or sending mojibake silently.
 */
export function decodeText(name: string, bytes: Buffer): Input {
  if (bytes.subarray(0, 8192).includes(0)) throw new UsageError(`${name} is a binary file (it contains NUL bytes): summarize takes text — pass a text file or pipe text in.`);
  try {
    return { name, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const replaced = countOf(text, '\ufffd') - countOf(bytes, Buffer.from([0xef, 0xbf, 0xbd]));
    return { name, text, warning: `${name} is not valid UTF-8: ${replaced} invalid byte sequence${replaced === 1 ? '' : 's'} replaced with U+FFFD (\ufffd). Save it as UTF-8 for an exact summary.` };
  }
}

function countOf(hay: string | Buffer, needle: string | Buffer): number {
  let n = 0;
  for (let i = (hay as any).indexOf(needle); i >= 0; i = (hay as any).indexOf(needle, i + 1)) n++;
  return n;
}

function readStats(file: string): SummaryStats {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY_STATS }; // the first run creates it
    throw new UsageError(`Cannot read --stats ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseStats(JSON.parse(raw));
  } catch {
    throw new UsageError(`--stats ${file} is not JSON written by foundry-lab summarize.`);
  }
}

function ms(v: number): string {
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

function usd(v: number): string {
  return v === 0 ? '$0' : v < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toFixed(4)}`;
}

function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}

function signed(ratio: number, lower: string, higher: string): string {
  return ratio >= 0 ? `${pct(ratio)} ${lower}` : `${pct(-ratio)} ${higher}`;
}
