import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { isLabError } from '../core/runtime/errors';
import { adviceFor } from './errorActions';

/** Logs a failure in full and shows its advice (errorActions.ts) as a notification whose buttons run commands. */
export async function showError(error: unknown, log: Logger, context?: string): Promise<void> {
  const advice = adviceFor(error);
  const detail = isLabError(error) && error.detail ? ` ${JSON.stringify(error.detail)}` : '';
  log.error(`${context ? `${context}: ` : ''}${isLabError(error) ? `[${error.code}] ` : ''}${error instanceof Error ? error.message : String(error)}${detail}`);
  if (isLabError(error) && error.code === 'aborted') return;
  const picked = await vscode.window.showErrorMessage(advice.message, ...advice.actions.map((a) => a.title));
  const action = advice.actions.find((a) => a.title === picked);
  if (action) await vscode.commands.executeCommand(action.command);
}
