import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { startFoundryService } from '../../core/runtime/discovery';
import { abortSignalOf } from '../cancellation';
import { notFoundError, RuntimeService } from '../runtimeService';
import type { Settings } from '../settings';
import { showError } from '../showError';

/** Foundry Local Lab: Start Foundry Local — runs the foundry CLI's start and waits until the service answers. */
export async function startService(runtime: RuntimeService, settings: Settings, log: Logger): Promise<void> {
  const { foundryPath } = settings.read();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Starting Foundry Local', cancellable: true },
    async (progress, token) => {
      progress.report({ message: `running \`${foundryPath} server start\` and waiting for the service to answer…` });
      const abort = abortSignalOf(token);
      try {
        return await startFoundryService({ ...runtime.connection.options, foundryPath, signal: abort.signal, log });
      } finally {
        abort.dispose();
      }
    },
  );
  const snapshot = await runtime.refresh('Foundry Local started', { restart: true });
  const d = snapshot.discovery?.state === 'found' ? snapshot.discovery : result;
  if (d.state !== 'found') return showError(notFoundError(d), log, 'Start Foundry Local');
  void vscode.window.showInformationMessage(`Foundry Local is running at ${d.endpoint.serviceUrl}${d.emulated ? ' (EMULATOR)' : ''}.`);
}
