import * as assert from 'assert';
import { mkdirSync, promises as fs, symlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { silentLogger } from '../../../src/core/log';
import type { FolderIndexOptions } from '../../../src/vscode/ask/indexProtocol';
import { IndexWorkerClient } from '../../../src/vscode/ask/indexWorkerClient';
import { FIXTURE } from '../core/rag/fixture';
import { writeTree } from '../core/rag/tree';

const WORKER = path.join(__dirname, '..', '..', '..', 'src', 'vscode', 'ask', 'indexWorker.js');
const OPTIONS: FolderIndexOptions = { exclude: [], maxFiles: 20000, maxFileBytes: 1024 * 1024 };

/**
 * Bad input: a workspace of 100,000 files with symlink loops. The index (in its worker thread, as the extension runs
 * it) stops at the cap and says so, counts what it left out and why, never follows a loop, and keeps answering
 * questions about another folder while it builds.
 */
describe('hardening: a workspace of 100k files with symlink loops', function () {
  this.timeout(180000);
  let big: string;
  let small: string;
  let client: IndexWorkerClient;
  before(async () => {
    big = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-100k-')));
    small = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-small-')));
    await writeTree(small, FIXTURE);
    for (let d = 0; d < 1000; d++) {
      const dir = path.join(big, `pkg${d}`);
      mkdirSync(dir);
      for (let i = 0; i < 100; i++) writeFileSync(path.join(dir, `f${i}.ts`), `export const value${d}_${i} = 'item ${i} of package ${d}';\n`);
    }
    symlinkSync(big, path.join(big, 'pkg0', 'loop-to-root'));
    symlinkSync(path.join(big, 'pkg1'), path.join(big, 'pkg2', 'loop-to-sibling'));
    client = new IndexWorkerClient(WORKER, silentLogger);
    await client.request('build', { folder: small, options: OPTIONS });
  });
  after(async () => {
    await client?.dispose();
    await fs.rm(big, { recursive: true, force: true });
    await fs.rm(small, { recursive: true, force: true });
  });

  it('stops at the cap, counts the rest by reason, follows no loop, and answers other questions meanwhile', async () => {
    let progressSeen = 0;
    let buildDone = false;
    const building = client.request('build', { folder: big, options: OPTIONS }, { onProgress: () => progressSeen++ }).then((s) => ((buildDone = true), s));
    // A question about the other folder while the big one builds: answered, and before the build ends.
    const during = await client.request('retrieve', { query: 'how does login verify the password', topK: 3, folders: [small] });
    assert.strictEqual(during[0].path, 'src/auth/login.ts');
    assert.strictEqual(buildDone, false, 'the retrieve was answered while the build was still running');
    const stats = await building;
    assert.strictEqual(stats.capped, true);
    assert.strictEqual(stats.files, 20000);
    assert.strictEqual(stats.skipped.capped, 80000);
    assert.ok((stats.skipped['symlink-loop'] ?? 0) >= 2, JSON.stringify(stats.skipped));
    assert.ok(progressSeen >= 1);
    const r = await client.request('retrieve', { query: 'value0_5 item package', topK: 3, folders: [big] });
    assert.strictEqual(r[0].path, 'pkg0/f5.ts');
  });
});
