import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { silentLogger } from '../../../../src/core/log';
import { LabError } from '../../../../src/core/runtime/errors';
import type { FolderIndexOptions, WorkerMessage } from '../../../../src/vscode/ask/indexProtocol';
import { IndexWorker } from '../../../../src/vscode/ask/indexWorker';
import { IndexWorkerClient } from '../../../../src/vscode/ask/indexWorkerClient';
import { FIXTURE } from '../../core/rag/fixture';
import { writeTree } from '../../core/rag/tree';

/** tsc's output of the worker entry (the extension runs esbuild's bundle of the same file). */
const WORKER = path.join(__dirname, '..', '..', '..', '..', 'src', 'vscode', 'ask', 'indexWorker.js');
const OPTIONS: FolderIndexOptions = { exclude: [], maxFiles: 20000, maxFileBytes: 1024 * 1024 };

/** Many small files: a build long enough to report progress, be paused and be cancelled. */
function manyFiles(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`gen/part${Math.floor(i / 100)}/file${i}.ts`] = `export function handler${i}(input: string) {\n  return input.repeat(${i % 7}) + 'widget${i % 13}';\n}\n`.repeat(4);
  return files;
}

describe('vscode/ask/indexWorker (a real worker thread)', function () {
  this.timeout(30000);
  let root: string;
  let cache: string;
  const clients: IndexWorkerClient[] = [];
  const start = () => {
    const c = new IndexWorkerClient(WORKER, silentLogger);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-ask-')));
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-ask-cache-'));
    await writeTree(root, FIXTURE);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('builds with progress, then retrieves best first', async () => {
    await writeTree(root, manyFiles(1500));
    const client = start();
    const progress: Array<[number, number]> = [];
    const stats = await client.request('build', { folder: root, options: OPTIONS }, { onProgress: (d, t) => progress.push([d, t]) });
    assert.strictEqual(stats.files, 1507);
    assert.strictEqual(stats.folder, root);
    assert.ok(stats.chunks >= stats.files);
    assert.ok(progress.length >= 1, 'progress reported');
    assert.deepStrictEqual(progress[progress.length - 1], [1507, 1507]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0], 'progress only goes up');
    const r = await client.request('retrieve', { query: 'how does login verify the password', topK: 3 });
    assert.strictEqual(r[0].path, 'src/auth/login.ts');
    assert.strictEqual(r[0].folder, root);
    assert.ok(r[0].startLine >= 1 && r[0].endLine >= r[0].startLine);
  });

  it('cancels a build mid-way: the reply is `aborted` and the folder has no index', async () => {
    await writeTree(root, manyFiles(3000));
    const client = start();
    const controller = new AbortController();
    let seen = 0;
    const build = client.request('build', { folder: root, options: OPTIONS }, {
      signal: controller.signal,
      onProgress: (done, total) => {
        seen = done;
        if (done > 0 && done < total) controller.abort();
      },
    });
    await assert.rejects(build, (e: unknown) => e instanceof LabError && e.code === 'aborted');
    assert.ok(seen > 0 && seen < 3007, `cancelled mid-way (at ${seen})`);
    assert.deepStrictEqual(await client.request('status', {}), []);
    assert.deepStrictEqual(await client.request('retrieve', { query: 'login', topK: 3 }), []);
  });

  it('refreshes and removes single files, then retrieves the change', async () => {
    const client = start();
    await client.request('build', { folder: root, options: OPTIONS });
    assert.deepStrictEqual(await client.request('retrieve', { query: 'kubernetes', topK: 3 }), []);
    await writeTree(root, { 'src/k8s.ts': 'export function scaleKubernetesDeployment() { /* kubernetes */ }\n' });
    const added = await client.request('refreshFiles', { folder: root, paths: ['src/k8s.ts'] });
    assert.deepStrictEqual([added.updated, added.files, added.rescan], [1, 8, false]);
    assert.strictEqual((await client.request('retrieve', { query: 'kubernetes', topK: 3 }))[0].path, 'src/k8s.ts');

    await fs.rm(path.join(root, 'src/k8s.ts'));
    const removed = await client.request('removeFiles', { folder: root, paths: ['src/k8s.ts'] });
    assert.deepStrictEqual([removed.removed, removed.files], [1, 7]);
    assert.deepStrictEqual(await client.request('retrieve', { query: 'kubernetes', topK: 3 }), []);

    // A deleted folder arrives as one event; a new folder asks for a rescan; a secret is not indexed.
    const gone = await client.request('removeFiles', { folder: root, paths: ['src/auth'] });
    assert.strictEqual(gone.removed, 2);
    assert.ok((await client.request('retrieve', { query: 'login password', topK: 5 })).every((r) => !r.path.startsWith('src/auth/')));
    await writeTree(root, { 'lib/new/a.ts': 'export const a = 1;\n', '.env': 'TOKEN=secret\n' });
    const more = await client.request('refreshFiles', { folder: root, paths: ['lib/new', '.env'] });
    assert.strictEqual(more.rescan, true);
    assert.deepStrictEqual(more.skipped, { secret: 1 });
  });

  it('reports skips by reason, the cap, and a new file beyond the cap', async () => {
    await writeTree(root, {
      '.gitignore': 'logs/\n',
      'logs/app.log': 'ignored\n',
      '.env': 'SECRET=1\n',
      'node_modules/x/index.js': 'module.exports = 1;\n',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
      'blob.txt': Buffer.from([1, 2, 0, 3]),
      'big.txt': 'x'.repeat(3000) + '\n',
      'snapshots/a.snap': 'exports[`a`] = 1;\n',
    });
    const client = start();
    const stats = await client.request('build', { folder: root, options: { exclude: ['**/snapshots'], maxFiles: 20000, maxFileBytes: 2048 } });
    assert.deepStrictEqual(stats.skipped, { ignored: 1, secret: 1, generated: 1, binary: 2, 'too-large': 1, excluded: 1 });
    assert.strictEqual(stats.capped, false);
    const [status] = await client.request('status', {});
    assert.deepStrictEqual(status.skipped, stats.skipped);

    const capped = await client.request('build', { folder: root, options: { ...OPTIONS, maxFiles: 3 } });
    assert.strictEqual(capped.capped, true);
    assert.ok((capped.skipped.capped ?? 0) > 0);
    assert.ok(capped.files <= 3);
    await writeTree(root, { 'zzz.ts': 'export const late = 1;\n' });
    const late = await client.request('refreshFiles', { folder: root, paths: ['zzz.ts'] });
    assert.deepStrictEqual(late.skipped, { capped: 1 });
  });

  it('keeps the skip counts current between builds: a file that turns binary counts, one that turns back or goes does not', async () => {
    await writeTree(root, { 'blob.txt': Buffer.from([1, 2, 0, 3]) });
    const client = start();
    const stats = await client.request('build', { folder: root, options: OPTIONS });
    assert.strictEqual(stats.skipped.binary, 1);
    const skipped = async () => (await client.request('status', {}))[0].skipped;
    // blob.txt becomes text: indexed, no longer a skip.
    await writeTree(root, { 'blob.txt': 'plain text now\n' });
    await client.request('refreshFiles', { folder: root, paths: ['blob.txt'] });
    assert.strictEqual((await skipped()).binary, undefined);
    // A source file turns binary, twice (counted once), then is deleted.
    await writeTree(root, { 'src/auth/login.ts': Buffer.from([0, 1, 2, 0]) });
    await client.request('refreshFiles', { folder: root, paths: ['src/auth/login.ts'] });
    await client.request('refreshFiles', { folder: root, paths: ['src/auth/login.ts'] });
    assert.strictEqual((await skipped()).binary, 1);
    await fs.rm(path.join(root, 'src', 'auth', 'login.ts'));
    await client.request('removeFiles', { folder: root, paths: ['src/auth/login.ts'] });
    assert.strictEqual((await skipped()).binary, undefined);
    // A full build agrees with the counts kept on the way.
    await writeTree(root, { 'b.bin.txt': Buffer.from([0, 0, 7]) });
    await client.request('refreshFiles', { folder: root, paths: ['b.bin.txt'] });
    const kept = await skipped();
    const rebuilt = await client.request('build', { folder: root, options: OPTIONS });
    assert.deepStrictEqual(kept, rebuilt.skipped);
  });

  it('reuses the stored index on a second start, and rebuilds a truncated one', async () => {
    const cacheFile = path.join(cache, 'index.json');
    const first = start();
    const a = await first.request('build', { folder: root, cacheFile, options: OPTIONS });
    assert.strictEqual(a.indexed, 7);
    assert.ok(a.sizeBytes && a.sizeBytes > 0);
    await first.dispose();

    const second = start();
    const b = await second.request('build', { folder: root, cacheFile, options: OPTIONS });
    assert.deepStrictEqual([b.files, b.indexed, b.reused, b.rebuilt], [7, 0, 7, undefined]);
    assert.strictEqual((await second.request('retrieve', { query: 'rollback deployment', topK: 1 }))[0].path, 'docs/deploy.md');
    await second.dispose();

    const text = await fs.readFile(cacheFile, 'utf8');
    await fs.writeFile(cacheFile, text.slice(0, Math.floor(text.length / 2)));
    const third = start();
    const c = await third.request('build', { folder: root, cacheFile, options: OPTIONS });
    assert.deepStrictEqual([c.files, c.indexed, c.rebuilt], [7, 7, 'corrupt']);
    JSON.parse(await fs.readFile(cacheFile, 'utf8')); // written again, whole

    // A rebuild drops the stored index first.
    const d = await third.request('build', { folder: root, cacheFile, options: OPTIONS, drop: true });
    assert.deepStrictEqual([d.indexed, d.reused], [7, 0]);
  });

  it('stores incremental changes (written after a short delay, or when the worker is disposed)', async () => {
    const cacheFile = path.join(cache, 'index.json');
    const client = start();
    await client.request('build', { folder: root, cacheFile, options: OPTIONS });
    await writeTree(root, { 'src/k8s.ts': 'export const kubernetes = 1;\n' });
    await client.request('refreshFiles', { folder: root, paths: ['src/k8s.ts'] });
    await client.dispose();
    const again = start();
    const stats = await again.request('build', { folder: root, cacheFile, options: OPTIONS });
    assert.deepStrictEqual([stats.files, stats.indexed, stats.reused], [8, 0, 8]);
  });

  it('pauses a build between two files while paused, still answers requests, and resumes', async () => {
    const other = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-ask-b-')));
    try {
      await writeTree(other, manyFiles(3000));
      const client = start();
      await client.request('build', { folder: root, options: OPTIONS });
      client.setPaused(true);
      let last = 0;
      let settled = false;
      const build = client.request('build', { folder: other, options: OPTIONS }, { onProgress: (done) => (last = done) }).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 400));
      const atPause = last;
      // A retrieve is answered while the other folder's build waits.
      const r = await client.request('retrieve', { query: 'rollback deployment', topK: 1, folders: [root] });
      assert.strictEqual(r[0].path, 'docs/deploy.md');
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(settled, false, 'the held build does not finish');
      assert.ok(last < 3000, `paused mid-way (at ${last})`);
      assert.ok(last - atPause < 1000, 'barely moves while paused');
      client.setPaused(false);
      const stats = await build;
      assert.strictEqual(stats.files, 3000);
    } finally {
      await fs.rm(other, { recursive: true, force: true });
    }
  });

  it('cancels a paused build', async () => {
    await writeTree(root, manyFiles(3000));
    const client = start();
    client.setPaused(true);
    const controller = new AbortController();
    const build = client.request('build', { folder: root, options: OPTIONS }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await assert.rejects(build, (e: unknown) => e instanceof LabError && e.code === 'aborted');
  });

  it('merges folders by score and applies per-folder scopes', async () => {
    const other = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-ask-b-')));
    try {
      await writeTree(other, { 'ops/rollback.md': '# Rollback\n\nRollback the deployment: redeploy the previous rollback tag. Rollback rollback.\n' });
      const client = start();
      await client.request('build', { folder: root, options: OPTIONS });
      await client.request('build', { folder: other, options: OPTIONS });
      const all = await client.request('retrieve', { query: 'rollback deployment', topK: 5 });
      assert.deepStrictEqual(new Set(all.map((r) => r.folder)), new Set([root, other]));
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].score >= all[i].score);
      const scoped = await client.request('retrieve', { query: 'rollback deployment', topK: 5, folders: [root], scopes: { [root]: ['docs'] } });
      assert.ok(scoped.length >= 1 && scoped.every((r) => r.folder === root && r.path.startsWith('docs/')));
      assert.deepStrictEqual(await client.request('removeFolder', { folder: other }), { removed: true });
      assert.ok((await client.request('retrieve', { query: 'rollback', topK: 5 })).every((r) => r.folder === root));
    } finally {
      await fs.rm(other, { recursive: true, force: true });
    }
  });

  it('answers a malformed request with an error, not a crash', async () => {
    const sent: WorkerMessage[] = [];
    const worker = new IndexWorker((m) => sent.push(m));
    await worker.receive({ type: 'retrieve', id: 4, query: 42, topK: 3 });
    await worker.receive({ type: 'nonsense' });
    await worker.receive({ type: 'refreshFiles', id: 5, folder: '/nowhere', paths: ['a.ts'] });
    assert.strictEqual(sent.length, 3);
    assert.deepStrictEqual([sent[0].type, (sent[0] as { ok?: boolean }).ok], ['reply', false]);
    assert.strictEqual(sent[1].type, 'log');
    assert.match((sent[2] as { error: { message: string } }).error.message, /no index/);
    const client = start();
    await assert.rejects(client.request('refreshFiles', { folder: '/nowhere', paths: [] }), (e: unknown) => e instanceof LabError && e.code === 'index-failed');
  });
});
