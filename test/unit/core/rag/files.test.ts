import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeTree } from './tree';
import { classifyContent, discoverFiles, readIndexableFile } from '../../../../src/core/rag/files';

describe('rag file discovery', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-files-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('honours nested .gitignore with negation, .foundrylabignore and extra excludes; counts every skip by reason', async () => {
    await writeTree(root, {
      '.gitignore': '*.log\nscratch/\n',
      '.foundrylabignore': 'fixtures/\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/b.log': 'log',
      'src/pkg/.gitignore': '!keep.log\n',
      'src/pkg/keep.log': 'kept',
      'scratch/x.ts': 'x',
      'fixtures/big.json': '{}',
      'snapshots/a.snap': 'snap',
      '.env': 'TOKEN=1',
      '.env.local': 'TOKEN=2',
      'certs/server.pem': 'pem',
      'id_rsa': 'key',
      'aws/credentials': 'k',
      'node_modules/x/index.js': 'x',
      'dist/app.js': 'x',
      'package-lock.json': '{}',
      'img/logo.png': Buffer.from([137, 80, 78, 71, 0, 0]),
      'huge.txt': 'x'.repeat(2000),
      '.git/HEAD': 'ref',
    });
    const r = await discoverFiles(root, { exclude: ['**/*.snap'], maxFileBytes: 1000 });
    assert.deepStrictEqual(r.files.map((f) => f.path), ['.foundrylabignore', '.gitignore', 'src/a.ts', 'src/pkg/.gitignore', 'src/pkg/keep.log']);
    assert.deepStrictEqual(r.skipped, { ignored: 3, excluded: 1, secret: 5, generated: 3, binary: 1, 'too-large': 1 });
    assert.strictEqual(r.capped, false);
    const a = r.files.find((f) => f.path === 'src/a.ts')!;
    assert.strictEqual(a.size, 20);
    assert.ok(a.mtimeMs > 0);
  });

  it('caps the number of files and says so', async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 30; i++) tree[`f${String(i).padStart(2, '0')}.txt`] = 'x';
    await writeTree(root, tree);
    const r = await discoverFiles(root, { maxFiles: 10 });
    assert.strictEqual(r.files.length, 10);
    assert.strictEqual(r.capped, true);
    assert.strictEqual(r.skipped.capped, 20);
  });

  it('is safe with symlink loops', async function () {
    await writeTree(root, { 'a/file.ts': 'x' });
    try {
      await fs.symlink(root, path.join(root, 'a', 'loop'));
      await fs.symlink(path.join(root, 'a'), path.join(root, 'again'));
    } catch {
      this.skip();
    }
    const r = await discoverFiles(root);
    assert.deepStrictEqual(r.files.map((f) => f.path), ['a/file.ts']);
    assert.strictEqual(r.skipped['symlink-loop'], 2);
  });

  it('can be cancelled', async () => {
    await writeTree(root, { 'a.txt': 'x' });
    const c = new AbortController();
    c.abort();
    await assert.rejects(discoverFiles(root, { signal: c.signal }), (e: any) => e.code === 'aborted');
  });

  it('classifies content: NUL bytes are binary, very long lines are minified, code is kept', async () => {
    assert.strictEqual(classifyContent(Buffer.from('abc\u0000def')), 'binary');
    assert.strictEqual(classifyContent(Buffer.from('var a=' + 'x'.repeat(6000))), 'minified');
    assert.strictEqual(classifyContent(Buffer.from('function f() {\n  return 1;\n}\n'.repeat(200))), undefined);
    await writeTree(root, { 'min.js': 'a'.repeat(10000), 'ok.ts': 'let x = 1;\n' });
    assert.deepStrictEqual(await readIndexableFile(path.join(root, 'min.js')), { skip: 'minified' });
    assert.deepStrictEqual(await readIndexableFile(path.join(root, 'ok.ts')), { text: 'let x = 1;\n' });
    assert.deepStrictEqual(await readIndexableFile(path.join(root, 'missing.ts')), { skip: 'unreadable' });
  });
});
