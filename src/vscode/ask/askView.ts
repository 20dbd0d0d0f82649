/**
 * "Ask the Workspace": the chat view in the Foundry Local Lab side bar. The host owns the turns (askController.ts)
 * and rebuilds the webview from a snapshot whenever it (re)loads; every message from the webview is validated
 * (parseAskMessage) before the host acts, and every click on a citation or a source is resolved by the turn and the
 * source's number — the path comes from the host's own record and must lie inside a workspace folder. Model output
 * never acts by itself: copying and inserting code happen on a click, links open only after links.ts's check.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { AskHostToWebview, AskScopeKind, AskScopeView, AskSnapshot, AskWebviewToHost, parseAskMessage } from '../../protocol';
import { openableLink } from '../panel/links';
import { pageAssets } from '../panel/pageAssets';
import type { RuntimeService } from '../runtimeService';
import { runtimeView } from '../runtimeText';
import type { Settings } from '../settings';
import { AskController, AskScope } from './askController';
import { AskHistory } from './askHistory';
import { buildAskHtml } from './askHtml';
import { codeBlocks, insideAny, resolveSource, stageOf } from './askTurn';
import type { IndexService } from './indexService';

export interface AskViewDeps {
  extensionUri: vscode.Uri;
  runtime: RuntimeService;
  settings: Settings;
  log: Logger;
  workspaceState: vscode.Memento;
  index: () => IndexService | undefined;
}

/** A selection quoted into the question box is cut to this many characters. */
const MAX_PREFILL_CHARS = 4000;
const FOLDER_PICK_LIMIT = 5000;

export class AskViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'foundryLab.askView';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly controller: AskController;
  private scope: AskScopeView & { paths?: string[] } = { kind: 'workspace', label: 'Whole workspace' };
  private prefill: { text: string; seq: number } | undefined;
  private prefillSeq = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: AskViewDeps) {
    this.controller = new AskController({ runtime: deps.runtime, settings: deps.settings, log: deps.log, index: deps.index, history: new AskHistory(deps.workspaceState) }, (msg) => this.post(msg));
    this.subscriptions.push(
      this.controller,
      deps.runtime.onDidChange(() => this.postRuntime()),
      deps.settings.onDidChange((keys) => {
        if (keys.has('smallModel') || keys.has('largeModel')) this.postRuntime();
      }),
    );
  }

  /** The view, its commands and its provider registration. */
  static register(deps: AskViewDeps, command: (id: string, run: () => unknown) => vscode.Disposable): vscode.Disposable[] {
    const provider = new AskViewProvider(deps);
    return [
      provider,
      vscode.window.registerWebviewViewProvider(AskViewProvider.viewType, provider),
      command('foundryLab.askWorkspace', () => provider.reveal(selectionQuote())),
      command('foundryLab.clearAskHistory', () => provider.clear()),
    ];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewSubscriptions) d.dispose();
    this.view = view;
    this.ready = false;
    const { webview } = view;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist')] };
    this.viewSubscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidChangeVisibility(() => {
        // Hidden = torn down (no retainContextWhenHidden); it says `ready` again when shown.
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
      }),
    ];
    webview.html = buildAskHtml(pageAssets(webview, this.deps.extensionUri, 'ask'));
  }

  /** Shows the view; `question` (an editor selection, quoted) goes into the question box. */
  async reveal(question?: string): Promise<void> {
    this.deps.log.info(`Ask the Workspace: view revealed${question ? `, the selection quoted (${question.length} characters)` : ''}${this.ready ? '' : ' (the view is loading)'}`);
    if (question) {
      this.prefill = { text: question, seq: ++this.prefillSeq };
      this.post({ type: 'askPrefill', prefill: this.prefill });
    }
    await vscode.commands.executeCommand(`${AskViewProvider.viewType}.focus`);
  }

  async clear(): Promise<void> {
    await this.controller.clear();
  }

  dispose(): void {
    for (const d of [...this.viewSubscriptions, ...this.subscriptions]) d.dispose();
    this.view = undefined;
  }

  private receive(raw: unknown): void {
    const msg = parseAskMessage(raw);
    if (!msg) {
      this.deps.log.warn(`Ask view: dropped a malformed message: ${preview(raw)}`);
      return;
    }
    void this.handle(msg).catch((e) => this.notice('error', e instanceof Error ? e.message : String(e)));
  }

  private async handle(msg: AskWebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'askSnapshot', snapshot: this.snapshot() });
        return;
      case 'ask': {
        const scope = this.resolveScope();
        if (!scope) return;
        this.prefill = undefined;
        return this.controller.ask(msg.question.trim(), scope);
      }
      case 'stop':
        this.controller.stop();
        return;
      case 'setScope':
        await this.setScope(msg.kind);
        this.post({ type: 'askScope', scope: this.scopeView() });
        return;
      case 'openSource':
        return this.openSource(msg.turnId, msg.n);
      case 'code':
        return this.code(msg.turnId, msg.role, msg.index, msg.action);
      case 'clear':
        return this.controller.clear();
      case 'openLink':
        return this.openLink(msg.href);
      case 'action':
        await vscode.commands.executeCommand(msg.action);
        return;
    }
  }

  // ---------- scope ----------

  private async setScope(kind: AskScopeKind): Promise<void> {
    if (kind === 'workspace') this.scope = { kind, label: 'Whole workspace' };
    else if (kind === 'openFiles') this.scope = { kind, label: 'Open files' };
    else {
      const folder = await pickFolder();
      if (folder) this.scope = { kind, label: `Folder: ${folder.label}`, paths: [folder.path] };
    }
  }

  /** The scope of a question now: "Open files" is the files open at the moment it is asked. */
  private resolveScope(): AskScope | undefined {
    if (this.scope.kind === 'workspace') return { label: this.scope.label };
    if (this.scope.kind === 'folder') return { label: this.scope.label, paths: this.scope.paths };
    const roots = workspaceRoots();
    const open = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText && input.uri.scheme === 'file' && insideAny(input.uri.fsPath, roots)) open.add(input.uri.fsPath);
      }
    }
    if (!open.size) {
      this.notice('error', 'No file of the workspace is open: open the files to ask about, or choose another scope.');
      return undefined;
    }
    const names = [...open].map((f) => vscode.workspace.asRelativePath(f, false));
    return { label: `Open files (${names.length}): ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`, paths: [...open] };
  }

  private scopeView(): AskScopeView {
    return { kind: this.scope.kind, label: this.scope.label };
  }

  // ---------- clicks ----------

  private async openSource(turnId: number, n: number): Promise<void> {
    const resolved = resolveSource(this.controller.record(turnId), n, workspaceRoots());
    if (!resolved.ok) {
      this.deps.log.warn(`Ask view: source [${n}] of turn ${turnId} not opened: ${resolved.reason}`);
      return this.notice('error', resolved.reason);
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(resolved.file));
    const last = Math.max(0, doc.lineCount - 1);
    const start = Math.min(resolved.startLine - 1, last);
    const end = Math.min(resolved.endLine - 1, last);
    const range = new vscode.Range(start, 0, end, doc.lineAt(end).range.end.character);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preview: true });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async code(turnId: number, role: 'small' | 'large', index: number, action: 'copy' | 'insert'): Promise<void> {
    const turn = this.controller.record(turnId)?.view;
    const stage = turn && stageOf(turn, role);
    const code = stage ? codeBlocks(stage.text)[index] : undefined;
    if (code === undefined) return this.notice('error', 'That code block is no longer in the history.');
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(code);
      return this.notice('info', 'Code copied to the clipboard.');
    }
    const visible = vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme !== 'output');
    const editor = vscode.window.activeTextEditor ?? (visible.length === 1 ? visible[0] : undefined);
    if (!editor) return this.notice('error', 'Open a file and put the cursor where the code goes, then press Insert again.');
    const ok = await editor.edit((b) => b.insert(editor.selection.active, code));
    this.notice(ok ? 'info' : 'error', ok ? `Code inserted into ${path.basename(editor.document.fileName)}.` : 'The editor refused the edit.');
  }

  /** http(s) through links.ts; a file: link only when the file is inside a workspace folder. */
  private async openLink(href: string): Promise<void> {
    const url = openableLink(href);
    if (url) {
      await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
      return;
    }
    if (/^file:/i.test(href.trim())) {
      let file: string | undefined;
      try {
        file = vscode.Uri.parse(href.trim(), true).fsPath;
      } catch {
        file = undefined;
      }
      if (file && insideAny(file, workspaceRoots())) {
        await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, preview: true });
        return;
      }
    }
    this.deps.log.warn(`Ask view: refused to open a link that is not http(s) or a workspace file: ${href.slice(0, 200)}`);
  }

  // ---------- posting ----------

  private snapshot(): AskSnapshot {
    const { smallModel, largeModel } = this.deps.settings.read();
    return { runtime: runtimeView(this.deps.runtime.snapshot), smallModel, largeModel, scope: this.scopeView(), turns: this.controller.turns, prefill: this.prefill };
  }

  private postRuntime(): void {
    const { runtime, smallModel, largeModel } = this.snapshot();
    this.post({ type: 'askRuntime', runtime, smallModel, largeModel });
  }

  private notice(level: 'info' | 'error', message: string): void {
    if (level === 'error') this.deps.log.warn(`Ask view: ${message}`);
    this.post({ type: 'askNotice', level, message });
  }

  private post(msg: AskHostToWebview): void {
    if (!this.ready || !this.view) return;
    void this.view.webview.postMessage(msg);
  }
}

function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

/** The active editor's selection, quoted as the start of a question; undefined when nothing is selected. */
function selectionQuote(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  let text = editor.document.getText(editor.selection);
  if (!text.trim()) return undefined;
  if (text.length > MAX_PREFILL_CHARS) text = `${text.slice(0, MAX_PREFILL_CHARS)}\n…`;
  const where = `${vscode.workspace.asRelativePath(editor.document.uri, false)}:${editor.selection.start.line + 1}-${editor.selection.end.line + 1}`;
  return `${where}\n${text.split(/\r?\n/).map((l) => `> ${l}`).join('\n')}\n\n`;
}

/** A folder of the workspace, from a quick pick of the folders that hold files (workspace-relative, `name/…` in multi-root). */
async function pickFolder(): Promise<{ label: string; path: string } | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) {
    void vscode.window.showInformationMessage('No workspace folder is open.');
    return undefined;
  }
  const multiRoot = folders.length > 1;
  const files = await vscode.workspace.findFiles('**/*', undefined, FOLDER_PICK_LIMIT);
  const dirs = new Map<string, string>();
  for (const f of folders) dirs.set(f.uri.fsPath, multiRoot ? f.name : '.');
  for (const file of files) {
    const folder = vscode.workspace.getWorkspaceFolder(file);
    if (!folder) continue;
    let dir = path.dirname(file.fsPath);
    while (dir.startsWith(folder.uri.fsPath) && dir !== folder.uri.fsPath && !dirs.has(dir)) {
      const rel = path.relative(folder.uri.fsPath, dir).split(path.sep).join('/');
      dirs.set(dir, multiRoot ? `${folder.name}/${rel}` : rel);
      dir = path.dirname(dir);
    }
  }
  const items = [...dirs.values()].sort((a, b) => a.localeCompare(b)).map((label) => ({ label }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Ask the Workspace: which folder?', placeHolder: 'Questions are answered from the files under this folder' });
  if (!picked) return undefined;
  return { label: picked.label === '.' ? 'the workspace root' : picked.label, path: picked.label };
}

function preview(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 200);
  } catch {
    return typeof raw;
  }
}
