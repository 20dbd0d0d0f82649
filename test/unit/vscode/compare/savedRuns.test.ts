import * as assert from 'assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { COMPARISON_FORMAT, ComparisonRun } from '../../../../src/core/compare/types';
import { SavedRunStore, storeKey } from '../../../../src/vscode/compare/savedRuns';

function fakeRun(i: number, extra: Partial<ComparisonRun> = {}): ComparisonRun {
  return {
    format: COMPARISON_FORMAT,
    id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    config: { models: ['phi-4-mini', 'gpt-oss-20b'], prompts: [{ id: 'p', prompt: 'Hi' }], promptSetName: 'Workshop probes', runs: 1, temperature: 0.5, maxTokens: 10, cold: false },
    runtime: { emulated: true },
    host: { platform: 'linux', arch: 'x64', cpus: 'cpu', cpuCount: 1, memoryGb: 1, node: 'v20' },
    versions: { foundryLocalLab: 'test' },
    models: [{ requested: 'phi-4-mini' }, { requested: 'gpt-oss-20b' }],
    requests: [],
    judgements: [],
    cancelled: false,
    ...extra,
  };
}

describe('vscode/compare/savedRuns', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'flab-saved-')), 'compare-runs');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('keys sort by start time and are safe file names', () => {
    const key = storeKey(fakeRun(7));
    assert.strictEqual(key, '20250101T000007000Z-000000000000');
    assert.match(storeKey({ startedAt: '../../x', id: '../../etc/passwd' }), /^[A-Za-z0-9-]+$/);
  });

  it('saves, lists newest first, loads back exactly, replaces the same run, deletes', async () => {
    const store = new SavedRunStore(dir);
    assert.deepStrictEqual(await store.list(), [], 'no folder yet');
    const k1 = await store.save(fakeRun(1));
    const k2 = await store.save(fakeRun(2, { cancelled: true }));
    const list = await store.list();
    assert.deepStrictEqual(list.map((e) => e.key), [k2, k1]);
    assert.match(list[0].detail, /cancelled/);
    assert.strictEqual(list[0].title, 'phi-4-mini vs gpt-oss-20b');
    assert.deepStrictEqual(await store.load(k1), fakeRun(1));
    await store.save(fakeRun(1, { cancelled: true }));
    assert.strictEqual((await store.list()).length, 2, 'the same run is replaced, not added');
    await store.delete(k1);
    assert.deepStrictEqual((await store.list()).map((e) => e.key), [k2]);
    await assert.rejects(store.load(k1), /ENOENT/);
  });

  it('keeps at most `cap` runs: the oldest go', async () => {
    const store = new SavedRunStore(dir, undefined, 3);
    // Saved out of order, concurrently: operations run one at a time.
    await Promise.all([5, 1, 4, 2, 3].map((i) => store.save(fakeRun(i))));
    const keys = (await store.list()).map((e) => e.key);
    assert.deepStrictEqual(keys, [5, 4, 3].map((i) => storeKey(fakeRun(i))));
    assert.deepStrictEqual(readdirSync(dir).filter((n) => n !== 'index.json').sort(), keys.map((k) => `${k}.json`).sort());
  });

  it('rebuilds a missing or damaged index from the files, skipping files that are not runs', async () => {
    const store = new SavedRunStore(dir);
    const k = await store.save(fakeRun(1));
    writeFileSync(join(dir, 'index.json'), '{ damaged');
    writeFileSync(join(dir, 'notes.json'), '{"hello": 1}');
    const warnings: string[] = [];
    const again = new SavedRunStore(dir, { warn: (m: string) => warnings.push(m), info() {}, error() {}, debug() {}, trace() {} } as any);
    assert.deepStrictEqual((await again.list()).map((e) => e.key), [k]);
    assert.ok(warnings.some((w) => /damaged/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /notes\.json/.test(w)), warnings.join('\n'));
  });

  it('refuses keys that would leave its folder', async () => {
    const store = new SavedRunStore(dir);
    await assert.rejects(store.load('../secret'), /Not a saved run key/);
    await assert.rejects(store.delete('.hidden'), /Not a saved run key/);
  });
});
