import { readFileSync } from 'node:fs';
import { deriveMetrics, formatMetric, METRIC_LABELS, RequestMetrics } from '../../core/metrics';
import { runChat } from '../../core/runtime/chat';
import { buildPlaygroundMessages } from '../../core/runtime/messages';
import type { ChatMessage } from '../../core/runtime/types';
import { connect, EMULATOR_NOTE } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, describeError, EXIT_OK, EXIT_RUNTIME, UsageError } from '../output';

export interface ChatCommandOptions {
  model: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  system?: string;
  contextFile?: string;
  autoLoad: boolean;
  showReasoning: boolean;
}

const METRIC_ORDER: (keyof RequestMetrics)[] = ['prepMs', 'ttftMs', 'ttfatMs', 'e2eMs', 'decodeTps', 'e2eTps', 'tpotMs', 'gapP50Ms', 'gapP95Ms', 'promptTokens', 'completionTokens', 'reasoningTokens', 'tokenSource'];

export async function runChatCommand(global: GlobalOptions, opts: ChatCommandOptions, io: CliIO): Promise<number> {
  const context = opts.contextFile ? readContext(opts.contextFile) : undefined;
  const messages = (): ChatMessage[] => buildPlaygroundMessages(opts.prompt, { system: opts.system, context });
  const conn = connect(global, io);
  let printed = false;
  // A first token can take minutes (a cold load): say every few seconds that it is still coming, and how to stop.
  let ticker: NodeJS.Timeout | undefined;
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  const startTicker = () => {
    const t0 = Date.now();
    const every = Math.min(10000, Math.max(250, global.idleTimeoutMs / 4));
    ticker = setInterval(() => io.stderr(`[still waiting for the first token: ${seconds(Date.now() - t0)} so far; the idle timeout is ${seconds(global.idleTimeoutMs)} — Ctrl-C cancels]\n`), every);
    ticker.unref?.();
  };
  const outcome = await runChat(conn, {
    model: opts.model,
    messages,
    maxTokens: opts.maxTokens,
    temperature: opts.temperature,
    signal: io.signal,
    idleTimeoutMs: global.idleTimeoutMs,
    autoLoad: opts.autoLoad,
    onPhase: (phase, detail) => {
      stopTicker();
      if (global.json) return;
      if (phase !== 'streaming') io.stderr(`[${phase}${detail ? ` ${detail}` : ''}]\n`);
      if (phase === 'waiting') startTicker();
    },
    onDelta: (d) => {
      if (global.json) return;
      if (d.answer) {
        io.stdout(d.answer);
        printed = true;
      }
      if (d.reasoning && opts.showReasoning) io.stderr(d.reasoning);
    },
  });
  stopTicker();
  const { result, model, loadMs } = outcome;
  const metrics = deriveMetrics(result);
  if (global.json) {
    io.stdout(
      JSON.stringify(
        {
          emulated: result.emulated,
          model: model ?? { requested: opts.model },
          loadMs,
          text: result.text,
          reasoning: result.reasoning,
          finishReason: result.finishReason,
          usage: result.usage,
          tokenSource: result.tokenSource,
          metrics,
          timeline: result.timeline,
          error: result.error ? { code: result.error.code, message: result.error.message } : undefined,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    if (printed) io.stdout('\n');
    const lines = ['', `Model:   ${model ? `${model.id} (${model.device}${model.executionProvider ? `, ${model.executionProvider}` : ''})` : opts.model}`];
    if (result.emulated) lines.push(`Source:  ${EMULATOR_NOTE}`);
    if (loadMs !== undefined) lines.push(`Load:    ${loadMs.toFixed(0)} ms (before the request; not part of TTFT)`);
    if (result.finishReason) lines.push(`Finish:  ${result.finishReason}`);
    if (result.reasoning && !opts.showReasoning) lines.push(`Reasoning: ${result.reasoning.length} characters kept apart (--show-reasoning prints them)`);
    for (const key of METRIC_ORDER) {
      if (metrics[key] === undefined) continue;
      lines.push(`${(METRIC_LABELS[key].label + ':').padEnd(30)}${formatMetric(key, metrics[key])}`);
    }
    if (metrics.tokenSource === 'estimated') lines.push('(token counts are estimates: the runtime reported no usage)');
    io.stdout(lines.join('\n') + '\n');
  }
  if (result.error) {
    io.stderr(`foundry-lab: ${describeError(result.error)}\n`);
    return EXIT_RUNTIME;
  }
  if (result.finishReason === 'length') io.stderr(`warning: the answer was cut by the token limit (--max-tokens ${opts.maxTokens}, finish_reason: length). Raise --max-tokens for the whole answer.\n`);
  return EXIT_OK;
}

function readContext(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read --context ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function seconds(ms: number): string {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
