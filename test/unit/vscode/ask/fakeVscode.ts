/**
 * The part of the VS Code API that IndexService uses, in plain Node: enough to drive the service in a unit test
 * (workspace folders, settings, file watchers whose events the test fires, progress, messages). Installed as the
 * module 'vscode' before the service is loaded.
 */
import * as path from 'path';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose(): void {
    this.fn();
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return Uri.file(path.join(base.fsPath, ...parts));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class RelativePattern {
  constructor(readonly base: unknown, readonly pattern: string) {}
}

export const ProgressLocation = { Notification: 15 };

export interface FakeWatcher {
  pattern: unknown;
  create: EventEmitter<Uri>;
  change: EventEmitter<Uri>;
  delete: EventEmitter<Uri>;
  disposed: boolean;
}

export interface FakeFolder {
  uri: Uri;
  name: string;
  index: number;
}

/** What a test sets and reads. */
export const fake = {
  folders: [] as FakeFolder[],
  config: {} as Record<string, unknown>,
  watchers: [] as FakeWatcher[],
  messages: [] as Array<{ kind: 'info' | 'warning' | 'error'; text: string }>,
  progress: [] as Array<{ title: string; reports: string[]; cancel: () => void }>,
  configChanged: new EventEmitter<{ affectsConfiguration(s: string): boolean }>(),
  foldersChanged: new EventEmitter<{ added: FakeFolder[]; removed: FakeFolder[] }>(),
  reset(): void {
    this.folders = [];
    this.config = {};
    this.watchers = [];
    this.messages = [];
    this.progress = [];
  },
  /** Fires a file event on every live recursive watcher. */
  fileEvent(kind: 'create' | 'change' | 'delete', absPath: string): void {
    for (const w of this.watchers) if (!w.disposed && w.pattern === '**/*') w[kind].fire(Uri.file(absPath));
  },
};

export const workspace = {
  get workspaceFolders() {
    return fake.folders.length ? fake.folders : undefined;
  },
  onDidChangeWorkspaceFolders: fake.foldersChanged.event,
  onDidChangeConfiguration: fake.configChanged.event,
  getConfiguration(section: string) {
    return { get: (key: string) => fake.config[`${section}.${key}`] };
  },
  getWorkspaceFolder(uri: Uri) {
    return fake.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep));
  },
  createFileSystemWatcher(pattern: unknown) {
    const w: FakeWatcher = { pattern, create: new EventEmitter(), change: new EventEmitter(), delete: new EventEmitter(), disposed: false };
    fake.watchers.push(w);
    return { onDidCreate: w.create.event, onDidChange: w.change.event, onDidDelete: w.delete.event, dispose: () => (w.disposed = true) };
  },
};

export const window = {
  async withProgress(opts: { title: string }, task: (p: { report(v: { message?: string }): void }, token: { onCancellationRequested(l: () => void): void }) => Promise<unknown>) {
    const cancel = new EventEmitter<void>();
    const entry = { title: opts.title, reports: [] as string[], cancel: () => cancel.fire() };
    fake.progress.push(entry);
    return task({ report: (v) => entry.reports.push(v.message ?? '') }, { onCancellationRequested: (l) => cancel.event(l) });
  },
  async showInformationMessage(text: string) {
    fake.messages.push({ kind: 'info', text });
    return undefined;
  },
  async showWarningMessage(text: string) {
    fake.messages.push({ kind: 'warning', text });
    return undefined;
  },
  async showErrorMessage(text: string) {
    fake.messages.push({ kind: 'error', text });
    return undefined;
  },
};

export const commands = {
  async executeCommand() {
    return undefined;
  },
};

/** Makes `require('vscode')` return this module (call before loading code that imports 'vscode'). */
export function installFakeVscode(): void {
  const Module = require('module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  if ((load as { fakeVscode?: boolean }).fakeVscode) return;
  const self = module.exports;
  const patched = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? self : load.call(this, request, ...rest);
  };
  (patched as unknown as { fakeVscode: boolean }).fakeVscode = true;
  Module._load = patched;
}
