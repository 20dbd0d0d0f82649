import * as assert from 'assert';
import { LabError } from '../../../../src/core/runtime/errors';
import { aliasFromId, deviceFromId, resolveModelName, sameModelId, stripVersion } from '../../../../src/core/runtime/modelResolver';
import type { ModelVariant } from '../../../../src/core/runtime/types';

const v = (id: string, alias: string | undefined, device: ModelVariant['device'], extra: Partial<ModelVariant> = {}): ModelVariant => ({ id, alias, device, ...extra });

/** A catalog in the service's order of preference, as G1 /foundry/list returns it. */
const CATALOG: ModelVariant[] = [
  v('Phi-4-mini-instruct-cuda-gpu:4', 'phi-4-mini', 'GPU', { executionProvider: 'CUDAExecutionProvider' }),
  v('Phi-4-mini-instruct-generic-gpu:5', 'phi-4-mini', 'GPU', { executionProvider: 'WebGpuExecutionProvider' }),
  v('Phi-4-mini-instruct-generic-cpu:5', 'phi-4-mini', 'CPU'),
  v('Phi-4-mini-instruct-generic-cpu:4', 'phi-4-mini', 'CPU'),
  v('phi-4-mini-instruct-vitis-npu:2', 'phi-4-mini', 'NPU'),
  v('gpt-oss-20b-cuda-gpu:1', 'gpt-oss-20b', 'GPU'),
  v('qwen2.5-0.5b-instruct-generic-cpu:4', 'qwen2.5-0.5b', 'CPU'),
];

function notFound(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof LabError && e.code === 'model-not-found' && re.test(e.message));
}

describe('core/runtime/modelResolver', () => {
  describe('aliasFromId (G3 /v1/models lists ids only)', () => {
    const cases: [string, string][] = [
      ['Phi-4-mini-instruct-generic-cpu:5', 'phi-4-mini'],
      ['Phi-4-mini-instruct-generic-gpu:5', 'phi-4-mini'],
      ['Phi-4-mini-instruct-cuda-gpu:4', 'phi-4-mini'],
      ['phi-4-mini-instruct-vitis-npu:2', 'phi-4-mini'],
      ['phi-4-mini-openvino-npu', 'phi-4-mini'],
      ['Phi-4-generic-gpu:1', 'phi-4'],
      ['gpt-oss-20b-cuda-gpu:1', 'gpt-oss-20b'],
      ['gpt-oss-20b-generic-cpu:1', 'gpt-oss-20b'],
      ['qwen2.5-0.5b-instruct-generic-cpu:4', 'qwen2.5-0.5b'],
      ['qwen2.5-coder-7b-instruct-generic-cpu', 'qwen2.5-coder-7b'],
      ['qwen3-0.6b-generic-cpu:1', 'qwen3-0.6b'],
      ['qwen2.5-1.5b-instruct-trtrtx-gpu:3', 'qwen2.5-1.5b'],
      ['qwen2.5-7b-instruct-qnn-npu:2', 'qwen2.5-7b'],
      ['phi-3.5-mini-instruct-openvino-gpu:1', 'phi-3.5-mini'],
    ];
    for (const [id, alias] of cases) it(`${id} → ${alias}`, () => assert.strictEqual(aliasFromId(id), alias));
    it('leaves ids without a variant suffix alone (lower-cased, without version)', () => {
      assert.strictEqual(aliasFromId('llama3:8'), 'llama3');
      assert.strictEqual(aliasFromId('my-model'), 'my-model');
    });
  });

  describe('deviceFromId', () => {
    it('reads the device from the suffix', () => {
      assert.strictEqual(deviceFromId('Phi-4-mini-instruct-generic-cpu:5'), 'CPU');
      assert.strictEqual(deviceFromId('gpt-oss-20b-cuda-gpu:1'), 'GPU');
      assert.strictEqual(deviceFromId('phi-4-mini-openvino-npu'), 'NPU');
      assert.strictEqual(deviceFromId('gpt-4o-mini'), 'unknown');
    });
  });

  describe('ids with and without version', () => {
    it('stripVersion drops only a trailing :number', () => {
      assert.strictEqual(stripVersion('Phi-4-mini-instruct-generic-cpu:5'), 'Phi-4-mini-instruct-generic-cpu');
      assert.strictEqual(stripVersion('ns:model'), 'ns:model');
    });
    it('sameModelId ignores case and a missing version on either side', () => {
      assert.ok(sameModelId('Phi-4-mini-instruct-generic-cpu:5', 'phi-4-mini-instruct-generic-cpu'));
      assert.ok(sameModelId('phi-4-mini-instruct-generic-cpu', 'Phi-4-mini-instruct-generic-cpu:5'));
      assert.ok(!sameModelId('Phi-4-mini-instruct-generic-cpu:5', 'Phi-4-mini-instruct-generic-cpu:4'));
      assert.ok(!sameModelId('Phi-4-mini-instruct-generic-cpu:5', 'Phi-4-mini-instruct-generic-gpu:5'));
    });
  });

  describe('resolveModelName (the legacy SDK getModelInfo order)', () => {
    it('1. an exact id, case-insensitively, and records what was asked', () => {
      const r = resolveModelName(CATALOG, 'phi-4-mini-instruct-GENERIC-cpu:4');
      assert.strictEqual(r.id, 'Phi-4-mini-instruct-generic-cpu:4');
      assert.strictEqual(r.requested, 'phi-4-mini-instruct-GENERIC-cpu:4');
      assert.strictEqual(r.device, 'CPU');
    });
    it('2. an id without version picks the highest version', () => {
      assert.strictEqual(resolveModelName(CATALOG, 'phi-4-mini-instruct-generic-cpu').id, 'Phi-4-mini-instruct-generic-cpu:5');
      const shuffled = [CATALOG[3], CATALOG[2]];
      assert.strictEqual(resolveModelName(shuffled, 'Phi-4-mini-instruct-generic-cpu').id, 'Phi-4-mini-instruct-generic-cpu:5');
    });
    it('3. a versioned id on a runtime that lists ids without version', () => {
      const unversioned = [v('qwen2.5-coder-7b-instruct-generic-cpu', 'qwen2.5-coder-7b', 'CPU')];
      assert.strictEqual(resolveModelName(unversioned, 'qwen2.5-coder-7b-instruct-generic-cpu:4').id, 'qwen2.5-coder-7b-instruct-generic-cpu');
    });
    it('4. an alias picks the first variant in the runtime order', () => {
      assert.strictEqual(resolveModelName(CATALOG, 'phi-4-mini').id, 'Phi-4-mini-instruct-cuda-gpu:4');
      assert.strictEqual(resolveModelName(CATALOG, ' PHI-4-MINI ').id, 'Phi-4-mini-instruct-cuda-gpu:4');
      assert.strictEqual(resolveModelName(CATALOG, 'gpt-oss-20b').id, 'gpt-oss-20b-cuda-gpu:1');
    });
    it('4a. with a device, the first variant for that device', () => {
      assert.strictEqual(resolveModelName(CATALOG, 'phi-4-mini', 'CPU').id, 'Phi-4-mini-instruct-generic-cpu:5');
      assert.strictEqual(resolveModelName(CATALOG, 'phi-4-mini', 'NPU').id, 'phi-4-mini-instruct-vitis-npu:2');
      assert.strictEqual(resolveModelName(CATALOG, 'phi-4-mini', 'unknown').id, 'Phi-4-mini-instruct-cuda-gpu:4');
    });
    it('4b. a cached variant wins over the first one when the runtime reports caching (SDK 1.x)', () => {
      const cached = CATALOG.map((m) => ({ ...m, cached: m.id === 'Phi-4-mini-instruct-generic-cpu:5' }));
      assert.strictEqual(resolveModelName(cached, 'phi-4-mini').id, 'Phi-4-mini-instruct-generic-cpu:5');
      assert.strictEqual(resolveModelName(cached, 'phi-4-mini', 'GPU').id, 'Phi-4-mini-instruct-cuda-gpu:4');
      // an exact id is taken as asked, cached or not
      assert.strictEqual(resolveModelName(cached, 'Phi-4-mini-instruct-generic-gpu:5').id, 'Phi-4-mini-instruct-generic-gpu:5');
    });
    it('keeps everything the runtime said about the variant', () => {
      const r = resolveModelName(CATALOG, 'phi-4-mini', 'GPU');
      assert.strictEqual(r.executionProvider, 'CUDAExecutionProvider');
      assert.strictEqual(r.alias, 'phi-4-mini');
    });
    it('an id wins over an alias of the same spelling', () => {
      const odd = [v('other-generic-cpu:1', 'mymodel', 'CPU'), v('mymodel', 'x', 'unknown')];
      assert.strictEqual(resolveModelName(odd, 'mymodel').id, 'mymodel');
    });
    it('unknown names: model-not-found listing known aliases', () => {
      notFound(() => resolveModelName(CATALOG, 'phi-5'), /No model 'phi-5'.*Known: phi-4-mini, gpt-oss-20b, qwen2\.5-0\.5b\./);
      notFound(() => resolveModelName([], 'phi-4-mini'), /lists no models/);
      const many = Array.from({ length: 12 }, (_, i) => v(`m${i}-generic-cpu:1`, `m${i}`, 'CPU'));
      notFound(() => resolveModelName(many, 'nope'), /Known: m0, m1, m2, m3, m4, m5, m6, m7, …\./);
    });
    it('an alias without a variant for the device names the devices it has', () => {
      notFound(() => resolveModelName(CATALOG, 'gpt-oss-20b', 'NPU'), /no NPU variant.*GPU/);
    });
  });
});
