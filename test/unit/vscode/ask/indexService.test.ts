import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { silentLogger } from '../../../../src/core/log';
import { FIXTURE } from '../../core/rag/fixture';
import { writeTree } from '../../core/rag/tree';
import { fake, installFakeVscode, Uri } from './fakeVscode';

installFakeVscode();
// Loaded after the fake 'vscode' is in place.
const { IndexService } = require('../../../../src/vscode/ask/indexService') as typeof import('../../../../src/vscode/ask/indexService');
type Service = InstanceType<typeof IndexService>;

const WORKER = path.join(__dirname, '..', '..', '..', '..', 'src', 'vscode', 'ask', 'indexWorker.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('vscode/ask/indexService (fake VS Code API, real worker)', function () {
  this.timeout(30000);
  let dir: string;
  let storage: string;
  let a: string;
  let b: string;
  const services: Service[] = [];

  function start(opts: { storage?: boolean; startDelayMs?: number } = {}): Service {
    const s = new IndexService({
      storageUri: (opts.storage === false ? undefined : Uri.file(storage)) as never,
      workerPath: WORKER,
      log: silentLogger as never,
      startDelayMs: opts.startDelayMs ?? 60000,
    });
    services.push(s);
    return s;
  }

  beforeEach(async () => {
    fake.reset();
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-svc-')));
    storage = path.join(dir, 'storage');
    a = path.join(dir, 'api');
    b = path.join(dir, 'web');
    await writeTree(a, FIXTURE);
    await writeTree(b, { 'docs/rollback.md': '# Rollback\n\nRollback the deployment to the previous rollback tag.\n', 'src/app.ts': 'export const app = 1;\n' });
    fake.folders = [
      { uri: Uri.file(a), name: 'api', index: 0 },
      { uri: Uri.file(b), name: 'web', index: 1 },
    ];
    fake.config['foundryLab.ask.indexOnStartup'] = false;
  });
  afterEach(async () => {
    for (const s of services.splice(0)) s.dispose();
    await sleep(50);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('retrieve builds the index first, merges folders by score, and names folder, relative path and absolute path', async () => {
    const service = start();
    assert.deepStrictEqual(service.status().folders.map((f) => [f.folder, f.state]), [['api', 'not-built'], ['web', 'not-built']]);
    const r = await service.retrieve('rollback deployment', { topK: 4 });
    assert.ok(r.length >= 2);
    assert.deepStrictEqual(new Set(r.map((x) => x.folder)), new Set(['api', 'web']));
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].score >= r[i].score);
    const web = r.find((x) => x.folder === 'web')!;
    assert.deepStrictEqual([web.path, web.absPath], ['docs/rollback.md', path.join(b, 'docs', 'rollback.md')]);
    // Scoped to one folder ("name/…" in a multi-root workspace).
    const scoped = await service.retrieve('rollback deployment', { topK: 4, scope: ['web/docs'] });
    assert.ok(scoped.length >= 1 && scoped.every((x) => x.folder === 'web' && x.path.startsWith('docs/')));
    const status = service.status();
    assert.deepStrictEqual(status.folders.map((f) => [f.folder, f.state, f.files]), [['api', 'idle', 7], ['web', 'idle', 2]]);
    assert.ok(status.folders.every((f) => f.storedAt?.startsWith(path.join(storage, 'index')) && f.sizeBytes && f.buildMs !== undefined));
  });

  it('nothing is stored without workspace storage', async () => {
    const service = start({ storage: false });
    await service.retrieve('login', { topK: 1 });
    assert.ok(service.status().folders.every((f) => f.storedAt === undefined && f.sizeBytes === undefined));
    await assert.rejects(fs.stat(path.join(storage, 'index')));
  });

  it('builds at start-up after the delay when indexOnStartup is on, and reuses the stored index next time', async () => {
    fake.config['foundryLab.ask.indexOnStartup'] = true;
    const first = start({ startDelayMs: 20 });
    assert.ok(first.status().folders.every((f) => f.state === 'not-built'), 'nothing happens during activation');
    await until(() => first.status().folders.every((f) => f.state === 'idle'), 'the start-up build');
    first.dispose();
    const second = start({ startDelayMs: 20 });
    const events: string[] = [];
    second.onDidChangeStatus((s) => events.push(s.folders.map((f) => f.state).join(',')));
    await until(() => second.status().folders.every((f) => f.state === 'idle'), 'the second start-up build');
    assert.ok(events.some((e) => e.includes('building')), 'status events while building');
    const status = await second.refreshStatus();
    assert.deepStrictEqual(status.folders.map((f) => f.files), [7, 2]);
  });

  it('follows watcher events in debounced batches: create, change, delete; an ignore file refreshes the folder', async () => {
    const service = start();
    await service.retrieve('anything', { topK: 1 });
    await writeTree(b, { 'src/k8s.ts': 'export function scaleKubernetes() { /* kubernetes */ }\n' });
    fake.fileEvent('create', path.join(b, 'src/k8s.ts'));
    fake.fileEvent('change', path.join(b, 'src/k8s.ts'));
    await until(() => service.status().folders[1].files === 3, 'the created file');
    assert.strictEqual((await service.retrieve('kubernetes', { topK: 1 }))[0]?.path, 'src/k8s.ts');
    await fs.rm(path.join(b, 'src/k8s.ts'));
    fake.fileEvent('delete', path.join(b, 'src/k8s.ts'));
    await until(() => service.status().folders[1].files === 2, 'the deleted file');
    assert.deepStrictEqual(await service.retrieve('kubernetes', { topK: 1 }), []);
    // Events inside .git are not files of the workspace.
    fake.fileEvent('change', path.join(b, '.git', 'index'));
    await writeTree(b, { '.foundrylabignore': 'docs/\n' });
    fake.fileEvent('create', path.join(b, '.foundrylabignore'));
    await until(() => (service.status().folders[1].skipped.ignored ?? 0) === 1, 'the refresh after the ignore file changed');
    assert.deepStrictEqual(await service.retrieve('rollback', { topK: 3, scope: ['web'] }), []);
  });

  it('holdForGeneration: watcher batches wait while held, an explicit retrieve still answers, the release applies them', async () => {
    const service = start();
    await service.retrieve('anything', { topK: 1 });
    const hold = service.holdForGeneration();
    assert.strictEqual(service.status().held, true);
    await writeTree(a, { 'src/k8s.ts': 'export const kubernetes = 1;\n' });
    fake.fileEvent('create', path.join(a, 'src/k8s.ts'));
    await sleep(700);
    assert.strictEqual(service.status().folders[0].files, 7, 'held: not applied yet');
    assert.strictEqual((await service.retrieve('login password', { topK: 1 }))[0].path, 'src/auth/login.ts', 'retrieve works while held');
    hold.dispose();
    hold.dispose();
    await until(() => service.status().folders[0].files === 8, 'the batch after the release');
    assert.strictEqual(service.status().held, false);
  });

  it('whileGenerating (the playground, Compare, Summarize): held during the generation, released after it, failed or not', async () => {
    const { whileGenerating } = require('../../../../src/vscode/ask/generationHold') as typeof import('../../../../src/vscode/ask/generationHold');
    const service = start();
    let during: boolean | undefined;
    assert.strictEqual(await whileGenerating(async () => ((during = service.status().held), 42)), 42);
    assert.strictEqual(during, true);
    assert.strictEqual(service.status().held, false);
    await assert.rejects(whileGenerating(async () => Promise.reject(new Error('the runtime went away'))), /went away/);
    assert.strictEqual(service.status().held, false);
  });

  it('a retrieve while held builds a folder that has no index (the explicit request wins)', async () => {
    const service = start();
    const hold = service.holdForGeneration();
    const r = await service.retrieve('rollback', { topK: 2 });
    assert.ok(r.length >= 1);
    hold.dispose();
  });

  it('rebuild drops the stored index and reads every file again; the capped warning names the setting', async () => {
    const service = start();
    await service.retrieve('login', { topK: 1 });
    fake.config['foundryLab.ask.maxFiles'] = 3;
    await service.rebuild();
    const api = (await service.refreshStatus()).folders[0];
    assert.strictEqual(api.capped, true);
    assert.strictEqual(api.files, 3);
    assert.strictEqual(api.maxFiles, 3);
    const warning = fake.messages.find((m) => m.kind === 'warning');
    assert.ok(warning && /4 more were not indexed/.test(warning.text) && /foundryLab\.ask\.maxFiles/.test(warning.text), JSON.stringify(fake.messages));
    assert.ok(fake.messages.some((m) => m.kind === 'info' && /Index rebuilt/.test(m.text)));
    assert.ok(fake.progress.some((p) => p.title === 'Indexing api'), 'a rebuild shows its progress');
  });

  it('Cancel on the progress notification stops the build; the folder is left as it was (here: not built)', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) many[`gen/f${i}.ts`] = `export const value${i} = ${i};\n`;
    await writeTree(a, many);
    fake.folders = [fake.folders[0]];
    const service = start({ storage: false });
    const rebuilding = service.rebuild();
    await until(() => fake.progress.length > 0, 'the progress notification');
    fake.progress[0].cancel();
    await rebuilding;
    const [api] = service.status().folders;
    assert.deepStrictEqual([api.state, api.lastError], ['not-built', 'Indexing was cancelled.']);
    assert.ok(!fake.messages.some((m) => /Index rebuilt/.test(m.text)));
    // The next question builds it.
    assert.ok((await service.retrieve('value42', { topK: 1 })).length === 1);
    assert.strictEqual(service.status().folders[0].state, 'idle');
  });

  it('a start-up build waits while a generation holds the index, says so, and runs on release', async () => {
    fake.config['foundryLab.ask.indexOnStartup'] = true;
    const service = start({ startDelayMs: 20 });
    const hold = service.holdForGeneration();
    await until(() => service.status().folders.every((f) => f.state === 'paused'), 'the paused state');
    await sleep(300);
    assert.ok(service.status().folders.every((f) => f.state === 'paused' && f.files === 0));
    hold.dispose();
    await until(() => service.status().folders.every((f) => f.state === 'idle' && f.files > 0), 'the build after the release');
  });

  it('retrieve with an aborted signal rejects as aborted', async () => {
    const service = start();
    const c = new AbortController();
    c.abort();
    await assert.rejects(service.retrieve('login', { signal: c.signal }), (e: { code?: string }) => e.code === 'aborted');
  });
});
