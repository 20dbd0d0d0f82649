import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildIndex, INDEX_VERSION, loadIndex, refreshFile, saveIndex, WorkspaceIndex } from '../../../../src/core/rag/index';
import { FIXTURE } from './fixture';
import { writeTree } from './tree';

describe('rag WorkspaceIndex', () => {
  let root: string;
  let cacheDir: string;
  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-index-')));
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cache-'));
    await writeTree(root, FIXTURE);
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(cacheDir, { recursive: true, force: true });
  });

  it('ranks the chunk that answers the question first', async () => {
    const { index, stats } = await buildIndex(root);
    assert.strictEqual(stats.files, 7);
    assert.ok(stats.chunks >= 7);
    const top = (q: string) => index.retrieve(q, { topK: 3 })[0]?.path;
    assert.strictEqual(top('how does login verify the password'), 'src/auth/login.ts');
    assert.strictEqual(top('database connection query'), 'src/db/connection.ts');
    assert.strictEqual(top('retry with exponential backoff'), 'src/http/retry.ts');
    assert.strictEqual(top('rollback a deployment'), 'docs/deploy.md');
    assert.strictEqual(top('createSession'), 'src/auth/session.ts'); // defined there, called from login.ts
    assert.strictEqual(top('theme'), 'src/ui/theme.ts');
    const r = index.retrieve('rollback deployment', { topK: 10 });
    assert.deepStrictEqual(r[0], { path: 'docs/deploy.md', startLine: 1, endLine: 7, score: r[0].score });
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].score >= r[i].score, 'best first');
    assert.deepStrictEqual(index.retrieve('the of and'), []);
    assert.deepStrictEqual(index.retrieve('zebra'), []);
  });

  it('the top K are the first K of the full ranking (stable, best first)', () => {
    const index = new WorkspaceIndex('/virtual');
    for (let i = 0; i < 300; i++) {
      const words = ['alpha', 'beta', 'gamma', 'delta'].filter((_, k) => (i >> k) & 1);
      index.updateFile(`f${i % 7}/file${i}.ts`, `export const x${i} = "${words.join(' ')} alpha";\n`.repeat(1 + (i % 3)), { mtimeMs: 1, size: 1 });
    }
    const all = index.retrieve('alpha beta gamma', { topK: 1000 });
    assert.strictEqual(all.length, 300);
    for (const k of [1, 5, 17]) assert.deepStrictEqual(index.retrieve('alpha beta gamma', { topK: k }), all.slice(0, k));
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].score >= all[i].score, `${all[i - 1].path} before ${all[i].path}`);
  });

  it('code before prose and tests for equal text, unless the question names docs or tests', () => {
    const index = new WorkspaceIndex('/virtual');
    const text = 'The cache evicts the oldest entry when the cache is full.\n';
    for (const p of ['src/cache.ts', 'docs/cache.md', 'src/cache.test.ts']) index.updateFile(p, text, { mtimeMs: 1, size: 1 });
    const order = (q: string) => index.retrieve(q, { topK: 3 }).map((r) => r.path);
    assert.strictEqual(order('cache evicts oldest entry')[0], 'src/cache.ts');
    assert.deepStrictEqual(order('cache evicts oldest entry').slice(1).sort(), ['docs/cache.md', 'src/cache.test.ts']);
    assert.notStrictEqual(order('docs: cache evicts oldest entry')[0], 'src/cache.ts');
    assert.strictEqual(order('test that the cache evicts the oldest entry')[0], 'src/cache.test.ts');
  });

  it('path words count: a query naming a folder finds its files', async () => {
    const { index } = await buildIndex(root);
    const r = index.retrieve('auth', { topK: 5 });
    assert.deepStrictEqual(r.map((x) => x.path).sort(), ['src/auth/login.ts', 'src/auth/session.ts']);
  });

  it('a query word in the file name outranks the same word in a folder name', () => {
    const index = new WorkspaceIndex('/virtual');
    for (const p of ['cache/store.go', 'store/cache.go']) index.updateFile(p, 'func get(key string) {}\n', { mtimeMs: 1, size: 1 });
    // Equal otherwise, ties go in path order: cache/store.go would come first.
    assert.deepStrictEqual(index.retrieve('cache get', { topK: 2 }).map((r) => r.path), ['store/cache.go', 'cache/store.go']);
    assert.deepStrictEqual(index.retrieve('store get', { topK: 2 }).map((r) => r.path), ['cache/store.go', 'store/cache.go']);
  });

  it('a leading "component:" ranks the files under that path first', () => {
    const index = new WorkspaceIndex('/virtual');
    index.updateFile('tpl/strings/init.go', 'func init() {\n\tregister(namespace)\n}\n', { mtimeMs: 1, size: 1 });
    index.updateFile('tpl/math/init.go', 'func init() {\n\tregister(namespace)\n\tregisterNamespace(namespace, register)\n}\n', { mtimeMs: 1, size: 1 });
    for (let i = 0; i < 10; i++) index.updateFile(`text/f${i}.go`, `func f${i}(s strings.Builder) {}\n`, { mtimeMs: 1, size: 1 });
    const top = (q: string) => index.retrieve(q, { topK: 3 })[0].path;
    // The same words without the prefix form: the body matches of math win.
    assert.strictEqual(top('tpl strings register namespace'), 'tpl/math/init.go');
    assert.strictEqual(top('tpl/strings: register namespace'), 'tpl/strings/init.go');
    // A prefix that names no path changes nothing.
    assert.strictEqual(top('Note: register namespace'), 'tpl/math/init.go');
  });

  it('a file with several matching chunks outranks a file with one slightly better chunk', () => {
    const index = new WorkspaceIndex('/virtual');
    const fn = (name: string, line: string) => `func ${name}() {\n${'\tx := step()\n'.repeat(12)}\t${line}\n${'\ty := step()\n'.repeat(12)}}\n\n`;
    index.updateFile('store/central.go', fn('a', 'evict(cache)') + fn('b', 'evict(cache)') + fn('c', 'evict(cache)'), { mtimeMs: 1, size: 1 });
    index.updateFile('store/lucky.go', fn('d', 'evict(cache, cache, cache)'), { mtimeMs: 1, size: 1 });
    for (let i = 0; i < 20; i++) index.updateFile(`other/f${i}.go`, fn(`e${i}`, i % 2 ? 'cache()' : 'evict()'), { mtimeMs: 1, size: 1 });
    const r = index.retrieve('evict cache', { topK: 4 });
    assert.ok(index.retrieve('evict cache', { topK: 100 }).filter((x) => x.path === 'store/central.go').length >= 2, 'central.go has several chunks');
    assert.deepStrictEqual(r.map((x) => x.path).slice(0, 3), ['store/central.go', 'store/central.go', 'store/lucky.go']);
  });

  it('scopes a question to a folder', async () => {
    const { index } = await buildIndex(root);
    const r = index.retrieve('user', { topK: 10, scope: ['src/auth'] });
    assert.ok(r.length >= 1);
    assert.ok(r.every((x) => x.path.startsWith('src/auth/')));
    assert.ok(index.retrieve('user', { topK: 10 }).some((x) => x.path === 'README.md'));
  });

  it('updates one file incrementally: add, change, remove', async () => {
    const { index } = await buildIndex(root);
    assert.deepStrictEqual(index.retrieve('kubernetes'), []);
    await writeTree(root, { 'src/k8s.ts': 'export function scaleKubernetesDeployment() { /* kubernetes */ }\n' });
    assert.strictEqual(await refreshFile(index, 'src/k8s.ts'), 'updated');
    assert.strictEqual(index.retrieve('kubernetes')[0].path, 'src/k8s.ts');
    await writeTree(root, { 'src/k8s.ts': 'export function nothingHere() {}\n' });
    await refreshFile(index, 'src/k8s.ts');
    assert.deepStrictEqual(index.retrieve('kubernetes'), []);
    assert.strictEqual(index.retrieve('nothingHere')[0].path, 'src/k8s.ts');
    await fs.rm(path.join(root, 'src/k8s.ts'));
    assert.strictEqual(await refreshFile(index, 'src/k8s.ts'), 'removed');
    assert.deepStrictEqual(index.retrieve('nothingHere'), []);
    assert.strictEqual(index.size.files, 7);
    // Removing every file leaves an empty index, not stale postings.
    for (const p of index.paths()) index.removeFile(p);
    assert.deepStrictEqual(index.size, { files: 0, chunks: 0 });
    assert.deepStrictEqual(index.retrieve('login'), []);
  });

  it('an incremental update applies the same path rules as a full build', async () => {
    await writeTree(root, { '.gitignore': 'gen/\n*.tmp\n', 'sub/.gitignore': '!keep.tmp\n' });
    const { index } = await buildIndex(root);
    await writeTree(root, {
      '.env': 'API_TOKEN=zanzibar',
      'gen/out.ts': 'zanzibar',
      'a.tmp': 'zanzibar',
      'sub/keep.tmp': 'zanzibar kept',
      'node_modules/x/index.js': 'zanzibar',
      'src/new.ts': 'export const zanzibar = 1;',
    });
    assert.strictEqual(await refreshFile(index, '.env'), 'secret');
    assert.strictEqual(await refreshFile(index, 'gen/out.ts'), 'ignored');
    assert.strictEqual(await refreshFile(index, 'a.tmp'), 'ignored');
    assert.strictEqual(await refreshFile(index, 'node_modules/x/index.js'), 'generated');
    assert.strictEqual(await refreshFile(index, 'sub/keep.tmp'), 'updated');
    assert.strictEqual(await refreshFile(index, 'src/new.ts', { exclude: ['src/**'] }), 'excluded');
    assert.strictEqual(await refreshFile(index, 'src/new.ts'), 'updated');
    assert.deepStrictEqual(index.retrieve('zanzibar', { topK: 10 }).map((r) => r.path).sort(), ['src/new.ts', 'sub/keep.tmp']);
    // A file that becomes ignored leaves the index.
    await fs.appendFile(path.join(root, '.gitignore'), 'src/\n');
    assert.strictEqual(await refreshFile(index, 'src/new.ts'), 'ignored');
    assert.deepStrictEqual(index.retrieve('zanzibar').map((r) => r.path), ['sub/keep.tmp']);
  });

  it('persists, reuses unchanged files on start-up, and re-reads only what changed', async () => {
    const cacheFile = path.join(cacheDir, 'index.json');
    const first = await buildIndex(root, { cacheFile });
    assert.strictEqual(first.stats.indexed, 7);
    assert.ok(first.stats.sizeBytes! > 0);
    const second = await buildIndex(root, { cacheFile });
    assert.deepStrictEqual([second.stats.indexed, second.stats.reused, second.stats.rebuilt], [0, 7, undefined]);
    assert.deepStrictEqual(second.index.retrieve('password'), first.index.retrieve('password'));
    // A changed file (size differs) and a deleted one.
    await fs.appendFile(path.join(root, 'src/ui/theme.ts'), 'export const highContrast = true;\n');
    await fs.rm(path.join(root, 'README.md'));
    const third = await buildIndex(root, { cacheFile });
    assert.deepStrictEqual([third.stats.indexed, third.stats.reused, third.stats.removed], [1, 5, 1]);
    assert.strictEqual(third.index.retrieve('highContrast')[0].path, 'src/ui/theme.ts');
    assert.strictEqual((await loadIndex(cacheFile, third.index.root)).retrieve('highContrast')[0].path, 'src/ui/theme.ts');
    // No temp files left behind.
    assert.deepStrictEqual(await fs.readdir(cacheDir), ['index.json']);
  });

  it('a truncated, corrupt or old-format stored index is rebuilt, not trusted', async () => {
    const cacheFile = path.join(cacheDir, 'index.json');
    const { index } = await buildIndex(root, { cacheFile });
    const good = await fs.readFile(cacheFile, 'utf8');
    const expected = index.retrieve('login password');

    await fs.writeFile(cacheFile, good.slice(0, Math.floor(good.length / 2)));
    let r = await buildIndex(root, { cacheFile });
    assert.strictEqual(r.stats.rebuilt, 'corrupt');
    assert.strictEqual(r.stats.indexed, 7);
    assert.deepStrictEqual(r.index.retrieve('login password'), expected);
    assert.strictEqual(await fs.readFile(cacheFile, 'utf8'), good, 'rewritten whole');

    await fs.writeFile(cacheFile, good.replace(`"version":${INDEX_VERSION}`, '"version":0'));
    r = await buildIndex(root, { cacheFile });
    assert.strictEqual(r.stats.rebuilt, 'old-format');

    await fs.writeFile(cacheFile, good.replace(/"chunks":\[\[1,/, '"chunks":[["x",'));
    r = await buildIndex(root, { cacheFile });
    assert.strictEqual(r.stats.rebuilt, 'corrupt');

    await fs.writeFile(cacheFile, '{"format":"something-else"}');
    r = await buildIndex(root, { cacheFile });
    assert.strictEqual(r.stats.rebuilt, 'corrupt');
    assert.deepStrictEqual(r.index.retrieve('login password'), expected);
  });

  it('a stored index of another folder is not used', async () => {
    const cacheFile = path.join(cacheDir, 'index.json');
    const other = new WorkspaceIndex('/somewhere/else');
    other.updateFile('x.ts', 'export const x = 1;', { mtimeMs: 1, size: 19 });
    await saveIndex(other, cacheFile);
    const r = await buildIndex(root, { cacheFile });
    assert.strictEqual(r.stats.rebuilt, 'other-folder');
    assert.ok(!r.index.has('x.ts'));
  });

  it('remembers content skips so unchanged binaries are not read again, and counts them', async () => {
    const cacheFile = path.join(cacheDir, 'index.json');
    await writeTree(root, { 'blob.dat2': Buffer.from([1, 0, 2, 3]), 'bundle.js': 'x'.repeat(9000) });
    const a = await buildIndex(root, { cacheFile });
    assert.deepStrictEqual([a.stats.skipped.binary, a.stats.skipped.minified, a.stats.files], [1, 1, 7]);
    const b = await buildIndex(root, { cacheFile });
    assert.deepStrictEqual([b.stats.skipped.binary, b.stats.skipped.minified, b.stats.indexed], [1, 1, 0]);
  });
});
