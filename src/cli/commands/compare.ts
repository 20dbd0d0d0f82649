import { readFileSync, writeFileSync } from 'node:fs';
import {
  analyze,
  BUILTIN_PROMPT_SETS,
  CompareConfig,
  diffRuns,
  fromJson,
  parsePromptJsonl,
  PromptSet,
  runComparison,
  toCsv,
  toJson,
  toMarkdown,
  validPrices,
} from '../../core/compare';
import { METRIC_LABELS } from '../../core/metrics';
import { connect, EMULATOR_NOTE } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, describeError, EXIT_OK, EXIT_RUNTIME, UsageError } from '../output';

export type ReportFormat = 'json' | 'csv' | 'md';

export interface CompareCommandOptions {
  models?: string;
  prompts?: string;
  prompt?: string;
  promptSet?: string;
  runs: number;
  cold: boolean;
  judge?: string;
  temperature?: number;
  maxTokens: number;
  format: ReportFormat;
  out?: string;
  pricesFile?: string;
  devicePowerWatts?: number;
  pricePerKWh?: number;
}

/** `foundry-lab compare`: the workshop's BENCH_MODELS / COMPARE_PROMPT / BENCH_STREAM variables are honoured. */
export async function runCompareCommand(global: GlobalOptions, opts: CompareCommandOptions, io: CliIO): Promise<number> {
  const models = (opts.models ?? io.env.BENCH_MODELS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (models.length < 1) throw new UsageError('compare needs --models a,b (or BENCH_MODELS), e.g. --models phi-4-mini,gpt-oss-20b');
  const set = promptSet(opts, io);
  if (io.env.BENCH_STREAM === '0') io.stderr('note: BENCH_STREAM=0 is ignored — every request streams, so that time to first token is measured.\n');
  const prices = validPrices(opts.pricesFile ? readJson(opts.pricesFile, '--prices') : undefined);
  const config: CompareConfig = {
    models,
    prompts: set.prompts,
    promptSetName: set.name,
    runs: opts.runs,
    temperature: opts.temperature ?? set.temperature ?? 0.5,
    maxTokens: opts.maxTokens,
    cold: opts.cold,
    judge: opts.judge,
    idleTimeoutMs: global.idleTimeoutMs,
  };
  const conn = connect(global, io);
  let lastLine = '';
  let cut = 0;
  const run = await runComparison(conn, config, {
    signal: io.signal,
    version: '0.1.0',
    onProgress: (p) => {
      const line = `[${p.done}/${p.total}] ${p.step}`;
      if (line !== lastLine) io.stderr(line + '\n');
      lastLine = line;
    },
    onRecord: (r) => {
      if (r.error) io.stderr(`  ✗ ${r.model} · ${r.promptId}: ${describeError(r.error)}\n`);
      else if (r.finishReason === 'length') cut++;
    },
  });
  if (run.runtime.emulated) io.stderr(`${EMULATOR_NOTE}\n`);
  if (cut) io.stderr(`warning: ${cut} of ${run.requests.length} answers were cut by the token limit (--max-tokens ${config.maxTokens}, finish_reason: length); their figures are kept. Raise --max-tokens for whole answers.\n`);
  const output = render(run, opts.format, { prices, energy: { devicePowerWatts: opts.devicePowerWatts, pricePerKWh: opts.pricePerKWh } });
  if (opts.out) {
    writeFileSync(opts.out, output);
    io.stderr(`wrote ${opts.out}\n`);
  } else io.stdout(output);
  if (run.error) {
    io.stderr(`foundry-lab: the comparison stopped (results so far are in the report): ${describeError(run.error)}\n`);
    return EXIT_RUNTIME;
  }
  if (run.cancelled) {
    io.stderr('foundry-lab: cancelled — the report holds the requests that finished.\n');
    return EXIT_RUNTIME;
  }
  const failedModels = run.models.filter((m) => m.error);
  for (const m of failedModels) io.stderr(`foundry-lab: ${m.requested}: ${describeError(m.error!)}\n`);
  if (!run.requests.some((r) => !r.error)) {
    io.stderr('foundry-lab: no request succeeded — the report shows why.\n');
    return EXIT_RUNTIME;
  }
  return failedModels.length === run.models.length ? EXIT_RUNTIME : EXIT_OK;
}

/** `foundry-lab report FILE`: re-renders an exported run; `foundry-lab diff A B`: warm p50s side by side. */
export function runReportCommand(files: string[], format: ReportFormat, io: CliIO, opts: Pick<CompareCommandOptions, 'pricesFile' | 'devicePowerWatts' | 'pricePerKWh'>): number {
  if (files.length !== 1) throw new UsageError('report takes one exported JSON file.');
  const run = loadRun(files[0]);
  const prices = validPrices(opts.pricesFile ? readJson(opts.pricesFile, '--prices') : undefined);
  io.stdout(render(run, format, { prices, energy: { devicePowerWatts: opts.devicePowerWatts, pricePerKWh: opts.pricePerKWh } }));
  return EXIT_OK;
}

export function runDiffCommand(files: string[], json: boolean, io: CliIO): number {
  if (files.length !== 2) throw new UsageError('diff takes two exported JSON files: foundry-lab diff BEFORE.json AFTER.json');
  const diffs = diffRuns(loadRun(files[0]), loadRun(files[1]));
  if (json) {
    io.stdout(JSON.stringify({ diffs }, null, 2) + '\n');
    return EXIT_OK;
  }
  const f = (v?: number) => (v === undefined ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
  const lines = ['| Model | Metric (warm p50) | Before | After | After / before |', '|---|---|---|---|---|'];
  for (const d of diffs) lines.push(`| ${d.model} | ${METRIC_LABELS[d.metric].label} (${METRIC_LABELS[d.metric].unit}) | ${f(d.before)} | ${f(d.after)} | ${d.ratio === undefined ? 'n/a' : `${d.ratio.toFixed(2)}×`} |`);
  io.stdout(lines.join('\n') + '\n');
  return EXIT_OK;
}

function render(run: Parameters<typeof toJson>[0], format: ReportFormat, opts: Parameters<typeof toMarkdown>[1]): string {
  if (format === 'json') return JSON.stringify({ ...run, analysis: analyze(run, opts) }, null, 2) + '\n';
  if (format === 'csv') return toCsv(run);
  return toMarkdown(run, opts);
}

function promptSet(opts: CompareCommandOptions, io: CliIO): PromptSet {
  const given = [opts.prompts, opts.prompt, opts.promptSet].filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError('give one of --prompts FILE, --prompt TEXT or --prompt-set NAME.');
  if (opts.prompts) {
    let text: string;
    try {
      text = readFileSync(opts.prompts, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read --prompts ${opts.prompts}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const { set, issues } = parsePromptJsonl(text, opts.prompts);
    for (const i of issues) io.stderr(`${opts.prompts}:${i.line}: skipped — ${i.message}\n`);
    if (!set.prompts.length) throw new UsageError(`${opts.prompts} has no usable prompt (one {"prompt": "..."} per line).`);
    return set;
  }
  const text = opts.prompt ?? io.env.COMPARE_PROMPT;
  if (text !== undefined && opts.promptSet === undefined) {
    if (!text.trim()) throw new UsageError('--prompt is empty.');
    return { id: 'single', name: 'Single prompt', description: '', prompts: [{ id: 'prompt', prompt: text }] };
  }
  const name = opts.promptSet ?? 'workshop-probes';
  const set = BUILTIN_PROMPT_SETS.find((s) => s.id === name);
  if (!set) throw new UsageError(`Unknown --prompt-set '${name}'. Built in: ${BUILTIN_PROMPT_SETS.map((s) => s.id).join(', ')}.`);
  return set;
}

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot read ${flag} ${file}: ${(e as Error).message}`);
  }
}

function loadRun(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return fromJson(text);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
}
