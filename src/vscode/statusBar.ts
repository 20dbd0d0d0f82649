import * as vscode from 'vscode';
import type { RuntimeService } from './runtimeService';
import { statusBarText, statusBarTooltip } from './runtimeText';
import type { Settings } from './settings';

export const SHOW_ACTIONS_COMMAND = 'foundryLab.showActions';

/** The runtime's state and the chosen small · large models, always visible; a click offers the actions. */
export class RuntimeStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('foundryLab.runtime', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly runtime: RuntimeService,
    private readonly settings: Settings,
  ) {
    this.item.name = 'Foundry Local Lab';
    this.item.command = SHOW_ACTIONS_COMMAND;
    this.subscriptions = [
      runtime.onDidChange(() => this.render()),
      settings.onDidChange((keys) => {
        if (keys.has('smallModel') || keys.has('largeModel')) this.render();
      }),
    ];
    this.render();
    this.item.show();
  }

  private render(): void {
    const snapshot = this.runtime.snapshot;
    const { smallModel, largeModel } = this.settings.read();
    this.item.text = statusBarText(snapshot, smallModel, largeModel);
    this.item.tooltip = new vscode.MarkdownString(statusBarTooltip(snapshot, smallModel, largeModel));
    const d = snapshot.discovery;
    this.item.backgroundColor =
      d && !snapshot.checking && d.state !== 'found' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

/** The quick pick behind the status bar item. */
export async function showActions(): Promise<void> {
  const actions: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(info) Show Status', command: 'foundryLab.showStatus' },
    { label: '$(play) Start Foundry Local', command: 'foundryLab.startService' },
    { label: '$(plug) Set Endpoint', command: 'foundryLab.setEndpoint' },
    { label: '$(symbol-class) Choose Models', command: 'foundryLab.chooseModels' },
    { label: '$(window) Open Panel', command: 'foundryLab.openPanel' },
    { label: '$(refresh) Refresh Status', command: 'foundryLab.refreshStatus' },
    { label: '$(output) Show Logs', command: 'foundryLab.showLogs' },
  ];
  const picked = await vscode.window.showQuickPick(actions, { title: 'Foundry Local Lab', placeHolder: 'Choose an action' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
