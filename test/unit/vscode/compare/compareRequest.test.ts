import * as assert from 'assert';
import { BUILTIN_PROMPT_SETS, parsePromptJsonl } from '../../../../src/core/compare/promptSets';
import type { ModelVariant } from '../../../../src/core/runtime/types';
import type { CompareForm } from '../../../../src/protocol';
import { buildCompareConfig, compareModelOptions, promptSetOptions } from '../../../../src/vscode/compare/compareRequest';

const form = (extra: Partial<CompareForm> = {}): CompareForm => ({
  models: ['phi-4-mini', 'gpt-oss-20b'],
  prompts: { kind: 'builtin', id: 'workshop-probes' },
  runs: 2,
  temperature: 0.5,
  maxTokens: 40,
  cold: true,
  ...extra,
});

describe('vscode/compare/compareRequest', () => {
  it('builds core\'s config from a built-in set, with the judge and the idle timeout', () => {
    const built = buildCompareConfig(form({ judge: 'qwen3-0.6b' }), { idleTimeoutMs: 5000 });
    assert.ok('config' in built);
    assert.deepStrictEqual(built.config, {
      models: ['phi-4-mini', 'gpt-oss-20b'],
      prompts: BUILTIN_PROMPT_SETS[0].prompts,
      promptSetName: 'Workshop probes',
      runs: 2,
      temperature: 0.5,
      maxTokens: 40,
      cold: true,
      idleTimeoutMs: 5000,
      judge: 'qwen3-0.6b',
    });
  });

  it('uses the loaded JSONL file, or a typed prompt (named after the selection it came from)', () => {
    const file = parsePromptJsonl('{"prompt": "one"}\n{"prompt": "two", "reference": "2"}\n', 'prompts/qa.jsonl').set;
    const fromFile = buildCompareConfig(form({ prompts: { kind: 'file' } }), { promptFile: file });
    assert.ok('config' in fromFile);
    assert.deepStrictEqual(fromFile.config.prompts.map((p) => p.prompt), ['one', 'two']);
    assert.strictEqual(fromFile.config.promptSetName, 'prompts/qa.jsonl');
    const typed = buildCompareConfig(form({ prompts: { kind: 'text', text: 'Explain ONNX.' } }), { textSetName: 'Editor selection in notes.md' });
    assert.ok('config' in typed);
    assert.deepStrictEqual(typed.config.prompts, [{ id: 'prompt', prompt: 'Explain ONNX.' }]);
    assert.strictEqual(typed.config.promptSetName, 'Editor selection in notes.md');
  });

  it('says what to fix: fewer than two models, no file, an empty file, an unknown set', () => {
    const error = (f: CompareForm, ctx = {}) => {
      const built = buildCompareConfig(f, ctx);
      return 'error' in built ? built.error : '';
    };
    assert.match(error(form({ models: ['phi-4-mini'] })), /at least two models/);
    assert.match(error(form({ prompts: { kind: 'file' } })), /JSONL prompt file first/);
    assert.match(error(form({ prompts: { kind: 'file' } }), { promptFile: parsePromptJsonl('not json\n', 'bad.jsonl').set }), /bad\.jsonl has no usable prompt/);
    assert.match(error(form({ prompts: { kind: 'builtin', id: 'nope' } })), /Unknown prompt set "nope"/);
  });

  it('lists the prompt sets with their sizes and temperatures', () => {
    const options = promptSetOptions();
    assert.deepStrictEqual(options.map((o) => [o.id, o.count, o.temperature]), [
      ['workshop-probes', 2, undefined],
      ['deterministic-qa', 5, 0],
    ]);
  });

  it('offers every alias and every variant once, configured models first when the runtime does not list them', () => {
    const variants: ModelVariant[] = [
      { id: 'Phi-4-mini-instruct-generic-gpu:5', alias: 'phi-4-mini', device: 'GPU', executionProvider: 'WebGpuExecutionProvider', fileSizeMb: 3780 },
      { id: 'Phi-4-mini-instruct-generic-cpu:5', alias: 'phi-4-mini', device: 'CPU', fileSizeMb: 4915 },
      { id: 'gpt-oss-20b-generic-cpu:1', alias: 'gpt-oss-20b', device: 'CPU', cached: false },
      { id: 'local-model', device: 'CPU' },
    ];
    const options = compareModelOptions(variants, 'phi-4-mini', 'mistral-7b');
    assert.deepStrictEqual(options.map((o) => o.value), [
      'mistral-7b',
      'phi-4-mini',
      'Phi-4-mini-instruct-generic-gpu:5',
      'Phi-4-mini-instruct-generic-cpu:5',
      'gpt-oss-20b',
      'gpt-oss-20b-generic-cpu:1',
      'local-model',
    ]);
    assert.strictEqual(options[0].group, 'Configured models');
    assert.match(options[2].label, /GPU · WebGpuExecutionProvider · 3\.7 GB/);
    assert.match(options[5].label, /not downloaded/);
    assert.strictEqual(options[6].group, 'Other models');
  });
});
