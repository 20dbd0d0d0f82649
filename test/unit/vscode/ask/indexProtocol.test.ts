import * as assert from 'assert';
import { createPauseSignal, isPaused, parseIndexRequest, parseReply, parseWorkerMessage, PauseWaiter, setPaused, wakeWorker } from '../../../../src/vscode/ask/indexProtocol';

const STATS = { folder: '/ws', files: 3, chunks: 5, sizeBytes: 100, buildMs: 12, skipped: { secret: 1 }, capped: false, indexed: 3, reused: 0, removed: 0, builtAt: 1 };
const OPTIONS = { exclude: ['**/x'], maxFiles: 10, maxFileBytes: 1024 };

describe('vscode/ask/indexProtocol', () => {
  it('accepts well-formed requests and rejects the rest', () => {
    assert.ok(parseIndexRequest({ type: 'build', id: 1, folder: '/ws', options: OPTIONS }));
    assert.ok(parseIndexRequest({ type: 'build', id: 1, folder: '/ws', cacheFile: '/c.json', options: OPTIONS, drop: true }));
    assert.ok(parseIndexRequest({ type: 'retrieve', id: 2, query: 'q', topK: 5, folders: ['/ws'], scopes: { '/ws': ['src'] } }));
    assert.ok(parseIndexRequest({ type: 'status', id: 3 }));
    for (const bad of [
      null,
      'build',
      { type: 'build', folder: '/ws', options: OPTIONS }, // no id
      { type: 'build', id: -1, folder: '/ws', options: OPTIONS },
      { type: 'build', id: 1, folder: '/ws', options: { ...OPTIONS, maxFiles: 0 } },
      { type: 'build', id: 1, folder: '/ws', options: { ...OPTIONS, exclude: [1] } },
      { type: 'retrieve', id: 2, query: 'q', topK: 0 },
      { type: 'retrieve', id: 2, query: 'q', topK: 3, scopes: { '/ws': 'src' } },
      { type: 'refreshFiles', id: 3, folder: '/ws', paths: 'a.ts' },
      { type: 'cancel', id: 4 },
      { type: 'format-disk', id: 5 },
    ]) {
      assert.strictEqual(parseIndexRequest(bad), undefined, JSON.stringify(bad));
    }
  });

  it('accepts well-formed worker messages and rejects the rest', () => {
    assert.ok(parseWorkerMessage({ type: 'reply', id: 1, ok: true, value: 1 }));
    assert.ok(parseWorkerMessage({ type: 'reply', id: 1, ok: false, error: { code: 'aborted', message: 'x' } }));
    assert.ok(parseWorkerMessage({ type: 'progress', id: 1, done: 3, total: 9 }));
    assert.ok(parseWorkerMessage({ type: 'log', level: 'warn', message: 'x' }));
    for (const bad of [
      undefined,
      { type: 'reply', id: 1 },
      { type: 'reply', id: 1, ok: false, error: 'x' },
      { type: 'progress', id: 1, done: -1, total: 9 },
      { type: 'log', level: 'shout', message: 'x' },
      { type: 'other' },
    ]) {
      assert.strictEqual(parseWorkerMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('checks each reply against the shape its request declares', () => {
    assert.deepStrictEqual(parseReply('build', STATS), STATS);
    assert.strictEqual(parseReply('build', { ...STATS, files: '3' }), undefined);
    assert.strictEqual(parseReply('build', { ...STATS, skipped: { secret: -1 } }), undefined);
    assert.ok(parseReply('status', [STATS]));
    const hit = { folder: '/ws', path: 'a.ts', startLine: 1, endLine: 4, score: 2.5 };
    assert.ok(parseReply('retrieve', [hit]));
    assert.strictEqual(parseReply('retrieve', [{ ...hit, endLine: 0 }]), undefined);
    assert.strictEqual(parseReply('retrieve', [{ ...hit, score: NaN }]), undefined);
    assert.strictEqual(parseReply('retrieve', hit), undefined);
    assert.ok(parseReply('refreshFiles', { updated: 1, removed: 0, skipped: {}, rescan: false, files: 3, chunks: 4 }));
    assert.strictEqual(parseReply('removeFiles', { updated: 1 }), undefined);
    assert.ok(parseReply('dispose', { saved: 0 }));
  });

  it('the pause signal: a waiter returns at once unless paused, and once after a wake', () => {
    const signal = createPauseSignal();
    const waiter = new PauseWaiter(signal);
    assert.strictEqual(waiter.waitWhilePaused(), false);
    setPaused(signal, true);
    assert.strictEqual(isPaused(signal), true);
    // Woken for a message: the next call runs on (so the message is read) instead of blocking.
    wakeWorker(signal);
    assert.strictEqual(waiter.waitWhilePaused(), false);
    setPaused(signal, false);
    assert.strictEqual(waiter.waitWhilePaused(), false);
  });
});
