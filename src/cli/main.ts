import { parseArgs } from 'node:util';
import { isLabError, LabError } from '../core/runtime/errors';
import { runChatCommand } from './commands/chat';
import { runModelsCommand } from './commands/models';
import { runStatusCommand } from './commands/status';
import { CliIO, describeError, EXIT_RUNTIME, EXIT_USAGE, UsageError } from './output';

export const USAGE = `Usage: foundry-lab <command> [options]

Commands:
  status                      Where the runtime is, how it was found, its state and loaded models
  models                      The runtime's models: alias, variant id, device, size, cached/loaded
  chat --model M "prompt"     Stream one answer, then print its timeline metrics

Options (every command):
  --endpoint URL              Runtime base URL, with or without /v1 (else FOUNDRY_LOCAL_ENDPOINT, else the foundry CLI)
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
