import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE } from '../core/rag/fixture';
import { writeTree } from '../core/rag/tree';
import { runCli } from './helpers';

describe('cli index / retrieve (real entry point)', () => {
  let ws: string;
  let cache: string;
  const env = () => ({ XDG_CACHE_HOME: cache });
  before(async () => {
    ws = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-ws-')));
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-cache-'));
    await writeTree(ws, { ...FIXTURE, '.gitignore': 'tmp/\n', 'tmp/notes.ts': 'login', '.env': 'SECRET=1', 'logo.png': Buffer.from([1, 0]) });
  });
  after(async () => {
    await fs.rm(ws, { recursive: true, force: true });
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('index --json: files, chunks, size on disk, build ms, skips by reason; the cache lives outside the workspace', async () => {
    const r = await runCli(['index', '--workspace', ws, '--json'], env());
    assert.strictEqual(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.strictEqual(s.files, 8); // the fixture and .gitignore
    assert.ok(s.chunks >= 8);
    assert.ok(s.sizeBytes > 0);
    assert.strictEqual(typeof s.buildMs, 'number');
    assert.deepStrictEqual(s.skipped, { ignored: 1, secret: 1, binary: 1 });
    assert.strictEqual(s.capped, false);
    assert.ok(s.cacheFile.startsWith(path.join(cache, 'foundry-lab', 'index') + path.sep), s.cacheFile);
    assert.strictEqual((await fs.stat(s.cacheFile)).size, s.sizeBytes);
    const again = JSON.parse((await runCli(['index', '--workspace', ws, '--json'], env())).stdout);
    assert.deepStrictEqual([again.indexed, again.reused], [0, 8]);
  });

  it('index (text) says what it did', async () => {
    const r = await runCli(['index', '--workspace', ws], env());
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Indexed:\s+8 files, \d+ chunks/);
    assert.match(r.stdout, /Skipped:.*secret 1/);
  });

  it('retrieve --json prints exactly {results, ms}, ranked best first, paths relative to the workspace', async () => {
    const r = await runCli(['retrieve', '--workspace', ws, '--top', '3', '--json', 'retry attempts with exponential backoff'], env());
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(Object.keys(out), ['results', 'ms']);
    assert.ok(out.results.length >= 1 && out.results.length <= 3);
    assert.deepStrictEqual(Object.keys(out.results[0]), ['path', 'startLine', 'endLine', 'score']);
    assert.deepStrictEqual(out.results[0], { path: 'src/http/retry.ts', startLine: 1, endLine: 6, score: out.results[0].score });
    for (let i = 1; i < out.results.length; i++) assert.ok(out.results[i - 1].score >= out.results[i].score);
    assert.strictEqual(typeof out.ms, 'number');
  });

  it('retrieve sees a changed file on the next run, and honours --scope', async () => {
    await fs.writeFile(path.join(ws, 'src/ui/theme.ts'), 'export function kaleidoscope() { return "kaleidoscope"; }\n');
    let out = JSON.parse((await runCli(['retrieve', '--workspace', ws, '--json', 'kaleidoscope'], env())).stdout);
    assert.strictEqual(out.results[0].path, 'src/ui/theme.ts');
    out = JSON.parse((await runCli(['retrieve', '--workspace', ws, '--json', '--scope', 'docs', 'kaleidoscope'], env())).stdout);
    assert.deepStrictEqual(out.results, []);
  });

  it('recovers from a truncated index file', async () => {
    const s = JSON.parse((await runCli(['index', '--workspace', ws, '--json'], env())).stdout);
    const text = await fs.readFile(s.cacheFile, 'utf8');
    await fs.writeFile(s.cacheFile, text.slice(0, 100));
    const r = JSON.parse((await runCli(['index', '--workspace', ws, '--json'], env())).stdout);
    assert.strictEqual(r.rebuilt, 'corrupt');
    assert.strictEqual(r.files, 8);
    const q = JSON.parse((await runCli(['retrieve', '--workspace', ws, '--json', 'login password'], env())).stdout);
    assert.strictEqual(q.results[0].path, 'src/auth/login.ts');
  });

  it('usage errors: no --workspace, not a folder, no query, bad --top', async () => {
    for (const args of [['index'], ['index', '--workspace', path.join(ws, 'nope')], ['retrieve', '--workspace', ws], ['retrieve', '--workspace', ws, '--top', '0', 'x']]) {
      const r = await runCli(args, env());
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /foundry-lab: /);
    }
  });
});
