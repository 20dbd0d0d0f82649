import * as vscode from 'vscode';
import { createNonce, PanelHtmlOptions } from './panelHtml';

/** What a view's page needs from its webview: the CSP source, a fresh nonce, and dist/<bundle>.js and .css as webview URIs. */
export function pageAssets(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string): PanelHtmlOptions {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  return {
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
  };
}
