import { parseArgs } from 'node:util';
import { isLabError, LabError } from '../core/runtime/errors';
import { runChatCommand } from './commands/chat';
import { ReportFormat, runCompareCommand, runDiffCommand, runReportCommand } from './commands/compare';
import { runModelsCommand } from './commands/models';
import { runStatusCommand } from './commands/status';
// --- Summarize ---
import { runSummarizeCommand } from './commands/summarize';
// --- end Summarize ---
// --- RAG ---
import { runIndexCommand, runRetrieveCommand } from './commands/rag';
import { runAskCommand } from './commands/ask';
// --- end RAG ---
import { CliIO, describeError, EXIT_RUNTIME, EXIT_USAGE, UsageError } from './output';

export const USAGE = `Usage: foundry-lab <command> [options]

Commands:
  status                      Where the runtime is, how it was found, its state and loaded models
  models                      The runtime's models: alias, variant id, device, size, cached/loaded
  chat --model M "prompt"     Stream one answer, then print its timeline metrics
  compare --models A,B        Compare models on the same prompts: cold vs warm, TTFT, decode rate, percentiles,
                              tokens, memory, judged quality, simulated cost (Markdown report on stdout)
  report FILE                 Re-render an exported comparison (--md, --csv or --json)
  diff BEFORE AFTER           Warm p50s of two exported comparisons side by side
  summarize [FILE]...         Executive summary: the small model drafts, the large one refines only when the
                              escalation policy says so; both stages' metrics and the blended cost (text from stdin
                              when no --file; several files: the escalation rate and averages across them)
  index --workspace DIR       Build or refresh the workspace index (kept in ~/.cache/foundry-lab/index): files,
                              chunks, size on disk, build time, skipped files by reason
  retrieve --workspace DIR "query"
                              The best chunks for a query, best first (--json: {"results": [{path, startLine,
                              endLine, score}], "ms"}; ms is the ranking time, after the index is refreshed)
  ask --workspace DIR "question"
                              Answer from the workspace: the small model answers from numbered sources and cites
                              them as [n]; a weak answer (too short, "insufficient", no citation) is escalated to
                              the large model; sources, citations and a per-stage breakdown follow

Options (every command):
  --endpoint URL              Runtime base URL, with or without /v1 (else FOUNDRY_LOCAL_ENDPOINT, else the foundry CLI)
                              FOUNDRY_LAB_API_KEY: the endpoint's API key, if it needs one (sent to it only, never printed)
  --json                      Machine-readable output on stdout
  --idle-timeout SECONDS      End a request that receives no bytes for this long (default 600: cold loads are slow)
  --foundry-path PATH         The foundry command used for discovery (default: foundry)
  -h, --help                  This help

chat options:
  -m, --model M               Alias (phi-4-mini) or variant id (required)
  --max-tokens N              Default 300
  --temperature T             Default 0.5
  --system TEXT               A system message
  --context FILE              Reference context embedded in the prompt
  --no-load                   Do not load the model first
  --show-reasoning            Print the reasoning (to stderr) as it streams

compare options:
  --models A,B                Aliases or variant ids (else BENCH_MODELS)
  --prompt TEXT               One prompt (else COMPARE_PROMPT)
  --prompts FILE              JSONL, one {"prompt": ..., "reference"?: ...} per line
  --prompt-set NAME           workshop-probes (default) or deterministic-qa (temperature 0, with references)
  --runs N                    Warm runs per prompt and model (default 3)
  --cold                      Unload each model, time its load, then a first (cold) request
  --judge M                   Score answers on a 1–5 rubric with model M (timed apart)
  --max-tokens N, --temperature T
  --json | --csv | --md       Output format (default --md); --out FILE writes it to a file
  --prices FILE               JSON [{"name", "inputPerMTok", "outputPerMTok"}] for the cost simulation
  --device-power WATTS        Device power while generating, for the energy simulation
  --kwh-price PRICE           Electricity price per kWh

summarize options:
  --file F, or FILE...        Files to summarize, one summary each; else the text on stdin
  --draft M, --refine M       The draft and refine models (default phi-4-mini, gpt-oss-20b)
  --force-refine              Always refine; --never-refine: the draft is always final
  --flagged-topics A,B        Refine when the text or the draft mentions one of these words
  --draft-longer-than N       Refine when the draft is longer than N characters (default 600; 0 = off)
  --baseline                  Also run the large model alone on the same input, to measure the saving
  --stats FILE                Keep running figures (escalation rate, average latency and cost) in this JSON file

index / retrieve options:
  --workspace DIR             The folder to index (required)
  --top K                     retrieve: how many chunks (default 10)
  --scope PATH                retrieve: only chunks under this folder or file (repeatable)
  --exclude GLOB              Extra exclude pattern, gitignore syntax (repeatable)
  --rebuild                   Discard the stored index and build it again

ask options (and --workspace, --top (default 6), --scope, --exclude, --rebuild, --max-tokens, --temperature, --no-load):
  --small M, --large M        The answering and the fallback model (default phi-4-mini, gpt-oss-20b)
  --fallback MODE             auto (default: escalate a weak answer), always, or never
  --embeddings-model M        Re-rank the lexical candidates with this /v1/embeddings model (fused by reciprocal rank)
  --embeddings-endpoint URL   Where that model is served (default: the runtime's endpoint)

Exit codes: 0 ok, 1 runtime or model error, 2 usage error.`;

export interface GlobalOptions {
  endpoint?: string;
  json: boolean;
  idleTimeoutMs: number;
  foundryPath?: string;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        endpoint: { type: 'string' },
        json: { type: 'boolean', default: false },
        'idle-timeout': { type: 'string' },
        'foundry-path': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        model: { type: 'string', short: 'm' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        system: { type: 'string' },
        context: { type: 'string' },
        'no-load': { type: 'boolean', default: false },
        'show-reasoning': { type: 'boolean', default: false },
        models: { type: 'string' },
        prompt: { type: 'string' },
        prompts: { type: 'string' },
        'prompt-set': { type: 'string' },
        runs: { type: 'string' },
        cold: { type: 'boolean', default: false },
        judge: { type: 'string' },
        csv: { type: 'boolean', default: false },
        md: { type: 'boolean', default: false },
        out: { type: 'string' },
        prices: { type: 'string' },
        'device-power': { type: 'string' },
        'kwh-price': { type: 'string' },
        // --- Summarize ---
        file: { type: 'string', multiple: true },
        draft: { type: 'string' },
        refine: { type: 'string' },
        'force-refine': { type: 'boolean', default: false },
        'never-refine': { type: 'boolean', default: false },
        'flagged-topics': { type: 'string' },
        'draft-longer-than': { type: 'string' },
        baseline: { type: 'boolean', default: false },
        stats: { type: 'string' },
        // --- end Summarize ---
        // --- RAG ---
        workspace: { type: 'string' },
        top: { type: 'string' },
        scope: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        rebuild: { type: 'boolean', default: false },
        small: { type: 'string' },
        large: { type: 'string' },
        fallback: { type: 'string' },
        'embeddings-model': { type: 'string' },
        'embeddings-endpoint': { type: 'string' },
        // --- end RAG ---
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      io.stdout(USAGE + '\n');
      return values.help || command === 'help' ? 0 : EXIT_USAGE;
    }
    const global: GlobalOptions = {
      endpoint: values.endpoint,
      json: values.json ?? false,
      idleTimeoutMs: parseNumber(values['idle-timeout'], '--idle-timeout', 600, { min: 0.001 }) * 1000,
      foundryPath: values['foundry-path'],
    };
    switch (command) {
      case 'status':
        noExtra(rest);
        return await runStatusCommand(global, io);
      case 'models':
        noExtra(rest);
        return await runModelsCommand(global, io);
      case 'chat': {
        if (!values.model) throw new UsageError('chat needs --model (an alias such as phi-4-mini, or a variant id).');
        const prompt = rest.join(' ').trim();
        if (!prompt) throw new UsageError('chat needs a prompt: foundry-lab chat --model phi-4-mini "Your question"');
        return await runChatCommand(
          global,
          {
            model: values.model,
            prompt,
            maxTokens: parseNumber(values['max-tokens'], '--max-tokens', 300, { min: 1, integer: true }),
            temperature: parseNumber(values.temperature, '--temperature', 0.5, { min: 0, max: 2 }),
            system: values.system,
            contextFile: values.context,
            autoLoad: !values['no-load'],
            showReasoning: values['show-reasoning'] ?? false,
          },
          io,
        );
      }
      case 'compare':
        noExtra(rest);
        return await runCompareCommand(
          global,
          {
            models: values.models,
            prompt: values.prompt,
            prompts: values.prompts,
            promptSet: values['prompt-set'],
            runs: parseNumber(values.runs, '--runs', 3, { min: 1, max: 1000, integer: true }),
            cold: values.cold ?? false,
            judge: values.judge,
            temperature: values.temperature === undefined ? undefined : parseNumber(values.temperature, '--temperature', 0.5, { min: 0, max: 2 }),
            maxTokens: parseNumber(values['max-tokens'], '--max-tokens', 300, { min: 1, integer: true }),
            format: reportFormat(values),
            out: values.out,
            ...costOptions(values),
          },
          io,
        );
      case 'report':
        return runReportCommand(rest, reportFormat(values), io, costOptions(values));
      case 'diff':
        return runDiffCommand(rest, global.json, io);
      // --- Summarize ---
      case 'summarize':
        if (values['force-refine'] && values['never-refine']) throw new UsageError('choose one of --force-refine and --never-refine.');
        return await runSummarizeCommand(
          global,
          {
            files: [...(values.file ?? []), ...rest],
            draft: values.draft,
            refine: values.refine,
            force: values['force-refine'] ? 'always' : values['never-refine'] ? 'never' : undefined,
            baseline: values.baseline ?? false,
            statsFile: values.stats,
            flaggedTopics: values['flagged-topics'],
            draftLongerThan: values['draft-longer-than'] === undefined ? undefined : parseNumber(values['draft-longer-than'], '--draft-longer-than', 600, { min: 0, integer: true }),
          },
          io,
        );
      // --- end Summarize ---
      // --- RAG ---
      case 'index':
        noExtra(rest);
        return await runIndexCommand(global, { workspace: values.workspace, exclude: values.exclude, rebuild: values.rebuild }, io);
      case 'retrieve':
        return await runRetrieveCommand(
          global,
          { workspace: values.workspace, exclude: values.exclude, rebuild: values.rebuild, query: rest.join(' '), topK: parseNumber(values.top, '--top', 10, { min: 1, max: 1000, integer: true }), scope: values.scope },
          io,
        );
      case 'ask': {
        const fallback = values.fallback;
        if (fallback !== undefined && !['auto', 'always', 'never'].includes(fallback)) throw new UsageError(`--fallback takes auto, always or never, not '${fallback}'.`);
        return await runAskCommand(
          global,
          {
            workspace: values.workspace,
            exclude: values.exclude,
            rebuild: values.rebuild,
            question: rest.join(' '),
            small: values.small,
            large: values.large,
            topK: parseNumber(values.top, '--top', 6, { min: 1, max: 50, integer: true }),
            scope: values.scope,
            fallback: fallback as 'auto' | 'always' | 'never' | undefined,
            maxTokens: values['max-tokens'] === undefined ? undefined : parseNumber(values['max-tokens'], '--max-tokens', 300, { min: 1, max: 32768, integer: true }),
            temperature: values.temperature === undefined ? undefined : parseNumber(values.temperature, '--temperature', 0.3, { min: 0, max: 2 }),
            autoLoad: !values['no-load'],
            embeddingsModel: values['embeddings-model'],
            embeddingsEndpoint: values['embeddings-endpoint'],
          },
          io,
        );
      }
      // --- end RAG ---
      default:
        throw new UsageError(`Unknown command '${command}'.`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as any)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr(`foundry-lab: ${(e as Error).message}\nRun 'foundry-lab --help' for usage.\n`);
      return EXIT_USAGE;
    }
    const err = isLabError(e) ? e : new LabError('server-error', (e as Error)?.message ?? String(e));
    io.stderr(`foundry-lab: ${describeError(err)}\n`);
    return EXIT_RUNTIME;
  }
}

function reportFormat(values: { json?: boolean; csv?: boolean; md?: boolean }): ReportFormat {
  const chosen = (['json', 'csv', 'md'] as const).filter((f) => values[f]);
  if (chosen.length > 1) throw new UsageError('choose one of --json, --csv, --md.');
  return chosen[0] ?? 'md';
}

function costOptions(values: Record<string, unknown>) {
  return {
    pricesFile: values.prices as string | undefined,
    devicePowerWatts: values['device-power'] === undefined ? undefined : parseNumber(values['device-power'] as string, '--device-power', 0, { min: 0 }),
    pricePerKWh: values['kwh-price'] === undefined ? undefined : parseNumber(values['kwh-price'] as string, '--kwh-price', 0, { min: 0 }),
  };
}

function noExtra(rest: string[]): void {
  if (rest.length) throw new UsageError(`Unexpected argument '${rest[0]}'.`);
}

function parseNumber(raw: string | undefined, name: string, fallback: number, range: { min?: number; max?: number; integer?: boolean }): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  const ok = raw.trim() !== '' && Number.isFinite(v) && (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max) && (!range.integer || Number.isInteger(v));
  if (!ok) {
    const bounds = [range.min !== undefined ? `≥ ${range.min}` : '', range.max !== undefined ? `≤ ${range.max}` : ''].filter(Boolean).join(' and ');
    throw new UsageError(`${name} takes ${range.integer ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}, not '${raw}'.`);
  }
  return v;
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  });
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`foundry-lab: ${(e as Error)?.message ?? e}\n`);
      process.exitCode = EXIT_RUNTIME;
    },
  );
}
