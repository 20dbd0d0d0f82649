import * as vscode from 'vscode';
import type { RuntimeService } from '../runtimeService';
import { runtimeView, statusMessage } from '../runtimeText';

/** Foundry Local Lab: Show Runtime Status — discovers again, then says what it found, with the next steps as buttons. */
export async function showStatus(runtime: RuntimeService): Promise<void> {
  const snapshot = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Foundry Local Lab: checking the runtime' },
    () => runtime.refresh('Show Status'),
  );
  const view = runtimeView(snapshot);
  const message = statusMessage(snapshot);
  const buttons: Record<string, string> = {};
  switch (view.status) {
    case 'found':
      Object.assign(buttons, { 'Open Panel': 'foundryLab.openPanel', 'Choose Models': 'foundryLab.chooseModels', 'Open Logs': 'foundryLab.showLogs' });
      break;
    case 'stopped':
      Object.assign(buttons, { 'Start Foundry Local': 'foundryLab.startService', 'Set Endpoint': 'foundryLab.setEndpoint', 'Open Logs': 'foundryLab.showLogs' });
      break;
    case 'not-installed':
      Object.assign(buttons, { 'Set Endpoint': 'foundryLab.setEndpoint', 'Open Logs': 'foundryLab.showLogs' });
      break;
    default:
      Object.assign(buttons, { 'Set Endpoint': 'foundryLab.setEndpoint', Refresh: 'foundryLab.refreshStatus', 'Open Logs': 'foundryLab.showLogs' });
  }
  const show = view.status === 'found' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const picked = await show(message, ...Object.keys(buttons));
  if (picked) await vscode.commands.executeCommand(buttons[picked]);
}

/** Foundry Local Lab: Refresh Runtime Status — quietly; the status bar shows the outcome. */
export async function refreshStatus(runtime: RuntimeService): Promise<void> {
  const snapshot = await runtime.refresh('Refresh Status', { restart: true });
  vscode.window.setStatusBarMessage(`Foundry Local Lab: ${runtimeView(snapshot).label}`, 4000);
}
