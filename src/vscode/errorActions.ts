/**
 * The one place a failure becomes what the user sees: a message they can act on and the buttons that act on it.
 * Used by notifications and by the panel's error box alike. No VS Code API here (unit-tested).
 */
import { isLabError, LabErrorCode } from '../core/runtime/errors';
import type { PanelAction } from '../protocol';

export interface ErrorAction {
  title: string;
  command: PanelAction;
}

export interface ErrorAdvice {
  message: string;
  actions: ErrorAction[];
}

const START: ErrorAction = { title: 'Start Foundry Local', command: 'foundryLab.startService' };
const SET_ENDPOINT: ErrorAction = { title: 'Set Endpoint', command: 'foundryLab.setEndpoint' };
const LOGS: ErrorAction = { title: 'Open Logs', command: 'foundryLab.showLogs' };
const CHOOSE: ErrorAction = { title: 'Choose Models', command: 'foundryLab.chooseModels' };
const RETRY_DISCOVERY: ErrorAction = { title: 'Refresh Status', command: 'foundryLab.refreshStatus' };

// Core's messages already say what happened and what to do; the advice adds buttons, and a hint only where the
// editor words it differently (the setting's name).
const ADVICE: Record<LabErrorCode, { hint?: string; actions: ErrorAction[] }> = {
  'not-installed': { actions: [SET_ENDPOINT, LOGS] },
  'not-running': { actions: [START, SET_ENDPOINT, LOGS] },
  unreachable: { actions: [SET_ENDPOINT, RETRY_DISCOVERY, LOGS] },
  'invalid-endpoint': { actions: [SET_ENDPOINT] },
  'model-not-found': { actions: [CHOOSE, LOGS] },
  'model-not-cached': { actions: [CHOOSE, LOGS] },
  'model-not-loaded': { hint: '(Setting: foundryLab.autoLoadModels.)', actions: [LOGS] },
  'context-too-long': { actions: [{ title: 'Lower Max Tokens', command: 'foundryLab.openTokenSettings' }] },
  timeout: { hint: '(Setting: foundryLab.idleTimeoutSeconds.)', actions: [LOGS] },
  'idle-timeout': { hint: '(Setting: foundryLab.idleTimeoutSeconds.)', actions: [LOGS] },
  'malformed-stream': { actions: [LOGS] },
  'stream-broken': { actions: [RETRY_DISCOVERY, LOGS] },
  'server-error': { actions: [LOGS] },
  unauthorized: { actions: [{ title: 'Set API Key', command: 'foundryLab.setApiKey' }, SET_ENDPOINT] },
  'bad-request': { actions: [LOGS] },
  aborted: { actions: [] },
  'index-failed': { actions: [{ title: 'Rebuild Index', command: 'foundryLab.rebuildIndex' }, LOGS] },
};

/** Message + actions for any failure. Never a stack trace: unknown errors show their message only. */
export function adviceFor(error: unknown): ErrorAdvice {
  if (!isLabError(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return { message: `Foundry Local Lab failed: ${firstLine(text)}`, actions: [LOGS] };
  }
  const advice = ADVICE[error.code] ?? { actions: [LOGS] };
  const message = advice.hint ? `${error.message} ${advice.hint}` : error.message;
  return { message, actions: advice.actions };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] || 'unknown error').slice(0, 500);
}
