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

/**
 * The one place the CLI turns an error into a line a user can act on: what went wrong, then what to do, on one line.
 * Takes a LabError or the `{code, message}` a comparison or summary keeps.
 */
export function describeError(e: Pick<LabError, 'message'> & { code: LabError['code'] | string }): string {
  const hints: Partial<Record<LabError['code'], string>> = {
    'not-installed': 'Install Foundry Local, or point at a running server with --endpoint URL or FOUNDRY_LOCAL_ENDPOINT.',
    'not-running': 'Start it (`foundry service start`, or `foundry server start` on CLI 0.10+) or pass --endpoint URL.',
    unreachable: 'Check the URL (--endpoint / FOUNDRY_LOCAL_ENDPOINT) and that the host is reachable.',
    'model-not-found': 'List the models with `foundry-lab models`.',
    'model-not-cached': 'Download it first (`foundry model download <alias>`).',
    'model-not-loaded': 'Run without --no-load (foundry-lab then loads it), or load it with `foundry model load <alias>`.',
    timeout: 'Raise --idle-timeout if the model is still loading.',
    'idle-timeout': 'Raise --idle-timeout, or check the runtime\'s logs.',
    'stream-broken': 'Run it again; if it keeps happening, check that the runtime still runs (`foundry-lab status`).',
    'malformed-stream': 'Try again; if it keeps happening, check the runtime\'s version and logs (or a proxy in between).',
    'server-error': 'Try again in a moment; if it keeps failing, check the runtime\'s logs or restart it.',
    unauthorized: 'Set FOUNDRY_LAB_API_KEY to the endpoint\'s key (it is sent only to the runtime\'s endpoint, never printed).',
    'bad-request': 'Check the options (--max-tokens, --temperature, the model) and the runtime\'s logs.',
  };
  const hint = hints[e.code as LabError['code']];
  if (!hint || e.message.includes(hint)) return e.message;
  return `${/[.!?)]$/.test(e.message.trim()) ? e.message.trim() : `${e.message.trim()}.`} ${hint}`;
}
