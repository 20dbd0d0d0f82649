import * as vscode from 'vscode';
import type { RuntimeService } from '../runtimeService';
import type { LabSettings, Settings } from '../settings';

/** A panel that runs the extension's own scripts from dist/ and media/ only, with the extension's icon. */
export function createLabWebviewPanel(
  viewType: string,
  title: string,
  show: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean },
  extensionUri: vscode.Uri,
): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, show, panelOptions(extensionUri));
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
  return panel;
}

function panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

/**
 * Brings a panel of `viewType` back after a window reload (VS Code keeps its tab and the page's setState; the host
 * side is rebuilt by `revive`, which is what `show` would have done with a new panel). Needs
 * `onWebviewPanel:<viewType>` in package.json's activationEvents.
 */
export function registerLabPanelSerializer(viewType: string, extensionUri: vscode.Uri, revive: (panel: vscode.WebviewPanel) => void): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      panel.webview.options = panelOptions(extensionUri);
      panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
      revive(panel);
    },
  });
}

export interface PanelEventHandlers {
  dispose(): void;
  /** Hidden without retainContextWhenHidden = the webview is torn down; it says `ready` again when shown. */
  hidden(): void;
  /** The runtime changed, or one of `settingKeys` did: the page's runtime line is out of date. */
  runtimeChanged(): void;
  settingKeys: readonly (keyof LabSettings)[];
}

/**
 * The events every panel follows, as disposables for its subscriptions. Messages from the webview stay with each
 * panel, beside the parser that validates them.
 */
export function followPanelEvents(panel: vscode.WebviewPanel, deps: { runtime: RuntimeService; settings: Settings }, on: PanelEventHandlers): vscode.Disposable[] {
  return [
    panel.onDidDispose(() => on.dispose()),
    panel.onDidChangeViewState(() => {
      if (!panel.visible) on.hidden();
    }),
    deps.runtime.onDidChange(() => on.runtimeChanged()),
    deps.settings.onDidChange((keys) => {
      if (on.settingKeys.some((k) => keys.has(k))) on.runtimeChanged();
    }),
  ];
}
