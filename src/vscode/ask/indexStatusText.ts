/**
 * The index's status as users read it — per folder: files, chunks, size on disk, build time, skips by reason,
 * capped or not, where it is stored — for the "Index" tree view and "Show Index Status". No VS Code API (unit-tested).
 */
import type { SkipCounts } from '../../core/rag/files';

export type IndexState = 'idle' | 'building' | 'paused' | 'error' | 'not-built';

export interface FolderIndexStatus {
  /** The workspace folder's name. */
  folder: string;
  root: string;
  state: IndexState;
  files: number;
  chunks: number;
  /** Bytes of the stored index; undefined when nothing is stored. */
  sizeBytes?: number;
  buildMs?: number;
  skipped: SkipCounts;
  capped: boolean;
  /** The cap in force (foundryLab.ask.maxFiles). */
  maxFiles: number;
  /** The stored index file; undefined when there is no workspace storage (nothing is stored). */
  storedAt?: string;
  lastError?: string;
  /** While building: files done of total. */
  progress?: { done: number; total: number };
  /** Date.now() at the end of the last build. */
  builtAt?: number;
}

export interface IndexStatus {
  folders: FolderIndexStatus[];
  /** True while a generation holds background indexing. */
  held: boolean;
}

export interface StatusRow {
  label: string;
  value: string;
  children?: StatusRow[];
}

const STATE_TEXT: Record<IndexState, string> = {
  idle: 'up to date',
  building: 'indexing…',
  paused: 'paused while a model generates',
  error: 'failed',
  'not-built': 'not built yet',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const num = (n: number) => n.toLocaleString('en-US');

/** One line under the folder's name: its state, with progress while building. */
export function stateText(s: FolderIndexStatus): string {
  const progress = s.progress && (s.state === 'building' || s.state === 'paused') ? ` ${num(s.progress.done)}/${num(s.progress.total)} files` : '';
  return `${STATE_TEXT[s.state]}${progress}`;
}

export function skippedTotal(skipped: SkipCounts): number {
  return Object.values(skipped).reduce((a, b) => a + (b ?? 0), 0);
}

/** The facts of one folder, in display order; "Skipped" has one child per reason, largest first. */
export function statusRows(s: FolderIndexStatus): StatusRow[] {
  const rows: StatusRow[] = [
    { label: 'State', value: stateText(s) },
    { label: 'Files', value: num(s.files) },
    { label: 'Chunks', value: num(s.chunks) },
    { label: 'Size on disk', value: s.sizeBytes === undefined ? (s.storedAt ? '—' : 'not stored') : formatBytes(s.sizeBytes) },
    { label: 'Build time', value: s.buildMs === undefined ? '—' : formatMs(s.buildMs) },
  ];
  const reasons = Object.entries(s.skipped).filter(([, n]) => n).sort((a, b) => b[1]! - a[1]! || (a[0] < b[0] ? -1 : 1));
  rows.push({ label: 'Skipped', value: num(skippedTotal(s.skipped)), children: reasons.map(([reason, n]) => ({ label: reason, value: num(n!) })) });
  rows.push({ label: 'Capped', value: s.capped ? `yes — ${num(s.skipped.capped ?? 0)} files over the cap of ${num(s.maxFiles)} not indexed (foundryLab.ask.maxFiles)` : `no (cap ${num(s.maxFiles)})` });
  rows.push({ label: 'Stored at', value: s.storedAt ?? 'not stored (no workspace storage)' });
  if (s.lastError) rows.push({ label: 'Last error', value: s.lastError });
  return rows;
}

/** The whole status as Markdown (the "Show Index Status" document). */
export function statusMarkdown(status: IndexStatus): string {
  const lines = ['# Workspace index', ''];
  if (!status.folders.length) lines.push('No workspace folder is open: there is nothing to index.');
  if (status.held) lines.push('Background indexing is paused while a model generates.', '');
  for (const f of status.folders) {
    lines.push(`## ${f.folder}`, '', `\`${f.root}\``, '', '| | |', '|---|---|');
    for (const row of statusRows(f)) {
      lines.push(`| ${row.label} | ${escapeCell(row.value)} |`);
      for (const child of row.children ?? []) lines.push(`| &nbsp;&nbsp;${child.label} | ${escapeCell(child.value)} |`);
    }
    lines.push('');
  }
  lines.push('Commands: **Foundry Local Lab: Rebuild Index** drops the stored index and builds it again. Settings: `foundryLab.ask.exclude`, `foundryLab.ask.maxFiles`, `foundryLab.ask.maxFileKB`, `foundryLab.ask.indexOnStartup`; `files.exclude` and `search.exclude` apply too.');
  return lines.join('\n') + '\n';
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The warning shown when a folder has more files than the cap. */
export function cappedWarning(s: Pick<FolderIndexStatus, 'folder' | 'files' | 'skipped' | 'maxFiles'>): string {
  return `Foundry Local Lab indexed ${num(s.files)} files of "${s.folder}"; ${num(s.skipped.capped ?? 0)} more were not indexed because of the cap of ${num(s.maxFiles)} files. Raise the setting foundryLab.ask.maxFiles to index more, or exclude folders with foundryLab.ask.exclude.`;
}
