import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { chooseModels } from './commands/chooseModels';
import { setEndpoint } from './commands/setEndpoint';
import { startService } from './commands/startService';
import { refreshStatus, showStatus } from './commands/status';
import { LabPanel } from './panel/labPanel';
import { registerLabPanelSerializer } from './panel/labWebviewPanel';
import { RuntimeService } from './runtimeService';
import { Settings } from './settings';
import { showError } from './showError';
import { RuntimeStatusBar, SHOW_ACTIONS_COMMAND, showActions } from './statusBar';
// --- Compare ---
import { ComparePanel } from './compare/comparePanel';
// --- end Compare ---
// --- Summarize ---
import { summarizeCommands } from './summarize/summarizeCommands';
// --- end Summarize ---
// --- Ask index ---
// getIndexService(): the window's IndexService (the chat view's way to it); also exported from ./ask/indexService.
import { getIndexService, IndexService } from './ask/indexService';
import { registerIndexStatusViews, showIndexStatus } from './ask/indexStatusView';
export { getIndexService };
// --- end Ask index ---
// --- Ask view ---
import { AskViewProvider } from './ask/askView';
// --- end Ask view ---
// --- Privacy ---
import { clearApiKey, initApiKeys, setApiKey } from './privacy/apiKeyCommands';
import { forgetRemoteConsent, initRemoteConsent } from './privacy/remoteConsent';
// --- end Privacy ---

export function activate(context: vscode.ExtensionContext): void {
  // A LogOutputChannel has the Logger's shape: core logs straight into it.
  const log = vscode.window.createOutputChannel('Foundry Local Lab', { log: true });
  const settings = new Settings(log);
  const runtime = new RuntimeService(settings, log);
  const statusBar = new RuntimeStatusBar(runtime, settings);
  const panelDeps = { extensionUri: context.extensionUri, runtime, settings, log };
  const command = (id: string, run: () => unknown) => registerCommand(id, run, log);

  context.subscriptions.push(
    log,
    settings,
    runtime,
    statusBar,
    command('foundryLab.showStatus', () => showStatus(runtime)),
    command('foundryLab.chooseModels', () => chooseModels(runtime, settings, log)),
    command('foundryLab.openPanel', () => LabPanel.show(panelDeps)),
    command('foundryLab.setEndpoint', () => setEndpoint(runtime, settings, log)),
    command('foundryLab.startService', () => startService(runtime, settings, log)),
    command('foundryLab.refreshStatus', () => refreshStatus(runtime)),
    command('foundryLab.showLogs', () => log.show()),
    // Every max-tokens setting (playground, Summarize's two stages, Ask): the action of a context overflow.
    command('foundryLab.openTokenSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'foundryLab maxTokens')),
    command(SHOW_ACTIONS_COMMAND, () => showActions()),
    registerLabPanelSerializer(LabPanel.viewType, context.extensionUri, (panel) => LabPanel.revive(panel, panelDeps)),
    { dispose: () => LabPanel.disposeCurrent() },
  );
  // --- Privacy --- (before the features: their send paths ask ensureRemoteConsent)
  const apiKeys = initApiKeys(context, runtime, log);
  context.subscriptions.push(
    initRemoteConsent(context.globalState, log),
    command('foundryLab.forgetRemoteConsent', () => forgetRemoteConsent()),
    command('foundryLab.setApiKey', () => setApiKey(apiKeys, runtime)),
    command('foundryLab.clearApiKey', () => clearApiKey(apiKeys, runtime)),
  );
  // --- end Privacy ---
  // --- Compare ---
  const compareDeps = { ...panelDeps, storageDir: context.globalStorageUri.fsPath, version: String(context.extension.packageJSON.version) };
  context.subscriptions.push(
    command('foundryLab.compareModels', () => ComparePanel.show(compareDeps)),
    command('foundryLab.compareSelection', () => ComparePanel.showWithSelection(compareDeps)),
    registerLabPanelSerializer(ComparePanel.viewType, context.extensionUri, (panel) => ComparePanel.revive(panel, compareDeps)),
    { dispose: () => ComparePanel.disposeCurrent() },
  );
  // --- end Compare ---
  // --- Summarize ---
  context.subscriptions.push(...summarizeCommands({ ...panelDeps, workspaceState: context.workspaceState }, command));
  // --- end Summarize ---
  // --- Ask index ---
  const index = new IndexService({ storageUri: context.storageUri, workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'indexWorker.js').fsPath, log });
  context.subscriptions.push(
    index,
    ...registerIndexStatusViews(index),
    command('foundryLab.rebuildIndex', () => index.rebuild()),
    command('foundryLab.showIndexStatus', () => showIndexStatus(index, log)),
  );
  // --- end Ask index ---
  // --- Ask view ---
  context.subscriptions.push(...AskViewProvider.register({ ...panelDeps, workspaceState: context.workspaceState, index: getIndexService }, command));
  // --- end Ask view ---

  log.info(`Foundry Local Lab ${context.extension.packageJSON.version} activated`);
  void runtime.refresh('activation');
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** Every command runs through here: a failure is logged in full and shown as advice with actions, never a stack. */
function registerCommand(id: string, run: () => unknown, log: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(id, async () => {
    try {
      await run();
    } catch (e) {
      await showError(e, log, id);
    }
  });
}
