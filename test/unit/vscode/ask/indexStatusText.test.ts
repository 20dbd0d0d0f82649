import * as assert from 'assert';
import { cappedWarning, FolderIndexStatus, formatBytes, formatMs, stateText, statusMarkdown, statusRows } from '../../../../src/vscode/ask/indexStatusText';

const FOLDER: FolderIndexStatus = {
  folder: 'app',
  root: '/ws/app',
  state: 'idle',
  files: 20000,
  chunks: 61234,
  sizeBytes: 5 * 1024 * 1024,
  buildMs: 4321,
  skipped: { secret: 2, capped: 1500, binary: 40 },
  capped: true,
  maxFiles: 20000,
  storedAt: '/storage/index/app-123.json',
};

describe('vscode/ask/indexStatusText', () => {
  it('lists files, chunks, size on disk, build time, skips by reason (largest first), the cap and the storage', () => {
    const rows = statusRows(FOLDER);
    const value = (label: string) => rows.find((r) => r.label === label)?.value;
    assert.strictEqual(value('Files'), '20,000');
    assert.strictEqual(value('Chunks'), '61,234');
    assert.strictEqual(value('Size on disk'), '5.0 MB');
    assert.strictEqual(value('Build time'), '4.3 s');
    assert.strictEqual(value('Skipped'), '1,542');
    assert.deepStrictEqual(rows.find((r) => r.label === 'Skipped')?.children?.map((c) => `${c.label} ${c.value}`), ['capped 1,500', 'binary 40', 'secret 2']);
    assert.match(value('Capped')!, /1,500 files over the cap of 20,000.*foundryLab\.ask\.maxFiles/);
    assert.strictEqual(value('Stored at'), '/storage/index/app-123.json');
    assert.strictEqual(value('Last error'), undefined);
  });

  it('says when nothing is stored, nothing is built, and shows progress and errors', () => {
    const rows = statusRows({ ...FOLDER, state: 'not-built', sizeBytes: undefined, storedAt: undefined, buildMs: undefined, capped: false, skipped: {}, lastError: 'Indexing was cancelled.' });
    const value = (label: string) => rows.find((r) => r.label === label)?.value;
    assert.strictEqual(value('Size on disk'), 'not stored');
    assert.strictEqual(value('Stored at'), 'not stored (no workspace storage)');
    assert.strictEqual(value('Build time'), '—');
    assert.strictEqual(value('Capped'), 'no (cap 20,000)');
    assert.strictEqual(value('Last error'), 'Indexing was cancelled.');
    assert.strictEqual(stateText({ ...FOLDER, state: 'paused', progress: { done: 1200, total: 30000 } }), 'paused while a model generates 1,200/30,000 files');
  });

  it('renders the whole status as Markdown, one table per folder', () => {
    const md = statusMarkdown({ folders: [FOLDER, { ...FOLDER, folder: 'web', root: '/ws/web', capped: false, skipped: {} }], held: true });
    assert.match(md, /^# Workspace index/);
    assert.match(md, /## app[\s\S]*\| Files \| 20,000 \|[\s\S]*## web/);
    assert.match(md, /\| &nbsp;&nbsp;capped \| 1,500 \|/);
    assert.match(md, /paused while a model generates/);
    assert.match(statusMarkdown({ folders: [], held: false }), /No workspace folder is open/);
  });

  it('the capped warning says how many files were not indexed and which setting raises the cap', () => {
    const text = cappedWarning(FOLDER);
    assert.match(text, /indexed 20,000 files of "app"; 1,500 more were not indexed/);
    assert.match(text, /foundryLab\.ask\.maxFiles/);
  });

  it('formats sizes and durations', () => {
    assert.deepStrictEqual([formatBytes(12), formatBytes(2048), formatBytes(3 * 1024 * 1024)], ['12 B', '2.0 KB', '3.0 MB']);
    assert.deepStrictEqual([formatMs(12.4), formatMs(1500)], ['12 ms', '1.5 s']);
  });
});
