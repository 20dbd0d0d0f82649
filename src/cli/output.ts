import type { LabError } from '../core/runtime/errors';

/** Where the CLI writes: answers and results on stdout, progress and errors on stderr. Injected so tests can capture. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

/** The one place the CLI turns a LabError into a line a user can act on. */
export function describeError(e: LabError): string {
  const hints: Partial<Record<LabError['code'], string>> = {
    'not-installed': 'Install Foundry Local, or point at a running server with --endpoint URL or FOUNDRY_LOCAL_ENDPOINT.',
    'not-running': 'Start it (`foundry service start`, or `foundry server start` on CLI 0.10+) or pass --endpoint URL.',
    unreachable: 'Check the URL (--endpoint / FOUNDRY_LOCAL_ENDPOINT) and that the host is reachable.',
    'model-not-found': 'List the models with `foundry-lab models`.',
    'model-not-cached': 'Download it first (`foundry model download <alias>`).',
    timeout: 'Raise --idle-timeout if the model is still loading.',
    'idle-timeout': 'Raise --idle-timeout, or check the runtime\'s logs.',
  };
  const hint = hints[e.code];
  return hint && !e.message.includes(hint) ? `${e.message}\n  ${hint}` : e.message;
}
