/**
 * Where users see the index: the "Index" tree view (per folder: state, files, chunks, size on disk, build time, skips
 * by reason, capped, where it is stored) and the "Show Index Status" document with the same facts.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { IndexService } from './indexService';
import { FolderIndexStatus, stateText, StatusRow, statusMarkdown, statusRows } from './indexStatusText';

export const INDEX_STATUS_VIEW = 'foundryLab.indexStatus';
const STATUS_SCHEME = 'foundry-lab-index';
const STATUS_URI = vscode.Uri.from({ scheme: STATUS_SCHEME, path: '/Index Status.md' });

type Node = { kind: 'folder'; status: FolderIndexStatus } | { kind: 'row'; row: StatusRow; key: string } | { kind: 'empty' };

export class IndexStatusTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: IndexService) {
    this.subscription = service.onDidChangeStatus(() => this.changed.fire());
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const folders = this.service.status().folders;
      return folders.length ? folders.map((status) => ({ kind: 'folder', status })) : [{ kind: 'empty' }];
    }
    if (node.kind === 'folder') return statusRows(node.status).map((row) => ({ kind: 'row', row, key: `${node.status.root}/${row.label}` }));
    if (node.kind === 'row') return (node.row.children ?? []).map((row) => ({ kind: 'row', row, key: `${node.key}/${row.label}` }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'empty') return new vscode.TreeItem('No workspace folder is open');
    if (node.kind === 'folder') {
      const s = node.status;
      const item = new vscode.TreeItem(s.folder, vscode.TreeItemCollapsibleState.Expanded);
      item.id = s.root;
      item.description = `${stateText(s)} · ${s.files.toLocaleString('en-US')} files`;
      item.tooltip = s.root;
      item.iconPath = new vscode.ThemeIcon(
        s.state === 'building' ? 'sync~spin' : s.state === 'paused' ? 'debug-pause' : s.state === 'error' ? 'error' : s.capped ? 'warning' : s.state === 'not-built' ? 'circle-outline' : 'database',
      );
      item.contextValue = `foundryLab.index.${s.state}`;
      return item;
    }
    const hasChildren = !!node.row.children?.length;
    const item = new vscode.TreeItem(node.row.label, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.key;
    item.description = node.row.value;
    item.tooltip = `${node.row.label}: ${node.row.value}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The tree view and the read-only document provider behind "Show Index Status". */
export function registerIndexStatusViews(service: IndexService): vscode.Disposable[] {
  const tree = new IndexStatusTree(service);
  const document = new StatusDocument(service);
  return [
    tree,
    vscode.window.createTreeView(INDEX_STATUS_VIEW, { treeDataProvider: tree, showCollapseAll: true }),
    document,
    vscode.workspace.registerTextDocumentContentProvider(STATUS_SCHEME, document),
  ];
}

/**
 * "Show Index Status": a read-only Markdown document (no unsaved editor left behind), current when opened, shown
 * rendered (the built-in Markdown preview); as text when the preview is not available (its extension disabled).
 */
export async function showIndexStatus(service: IndexService, log?: Logger): Promise<void> {
  await service.refreshStatus();
  StatusDocument.current?.refresh();
  try {
    await vscode.commands.executeCommand('markdown.showPreview', STATUS_URI);
  } catch (e) {
    log?.info(`Index status shown as text: the Markdown preview is not available (${e instanceof Error ? e.message : String(e)})`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(STATUS_URI), { preview: true });
  }
}

class StatusDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static current: StatusDocument | undefined;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly service: IndexService) {
    StatusDocument.current = this;
  }

  provideTextDocumentContent(): string {
    return statusMarkdown(this.service.status());
  }

  refresh(): void {
    this.changed.fire(STATUS_URI);
  }

  dispose(): void {
    if (StatusDocument.current === this) StatusDocument.current = undefined;
    this.changed.dispose();
  }
}
