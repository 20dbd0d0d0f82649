import * as assert from 'assert';
import { FormValues, readForm } from '../../../../webview-ui/compare/form';
import { wrapLabel } from '../../../../webview-ui/compare/labels';

const values = (extra: Partial<FormValues> = {}): FormValues => ({
  models: ['phi-4-mini', 'gpt-oss-20b'],
  source: 'builtin:workshop-probes',
  text: '',
  runs: '1',
  temperature: '0.5',
  maxTokens: '40',
  cold: false,
  judge: '',
  hasPromptFile: false,
  ...extra,
});

describe('webview-ui/compare/form (the run message from the form)', () => {
  it('turns the form into the run message', () => {
    assert.deepStrictEqual(readForm(values()), {
      form: { models: ['phi-4-mini', 'gpt-oss-20b'], prompts: { kind: 'builtin', id: 'workshop-probes' }, runs: 1, temperature: 0.5, maxTokens: 40, cold: false },
    });
    const r = readForm(values({ source: 'text', text: 'Why?', judge: 'qwen3-0.6b', cold: true, temperature: '0' }));
    assert.ok('form' in r);
    assert.deepStrictEqual(r.form.prompts, { kind: 'text', text: 'Why?' });
    assert.strictEqual(r.form.judge, 'qwen3-0.6b');
    assert.strictEqual(r.form.temperature, 0);
    assert.ok('form' in readForm(values({ source: 'file', hasPromptFile: true })));
  });

  it('says what is wrong before anything is sent', () => {
    const error = (v: Partial<FormValues>) => {
      const r = readForm(values(v));
      return 'error' in r ? r.error : '';
    };
    assert.match(error({ models: ['phi-4-mini'] }), /at least two/);
    assert.match(error({ models: ['a', 'a'] }), /at least two/);
    assert.match(error({ source: 'text', text: ' ' }), /Type a prompt/);
    assert.match(error({ source: 'file' }), /JSONL/);
    assert.match(error({ runs: '0' }), /Runs per prompt/);
    assert.match(error({ runs: '2.5' }), /Runs per prompt/);
    assert.match(error({ temperature: '' }), /Temperature/);
    assert.match(error({ temperature: '3' }), /Temperature/);
    assert.match(error({ maxTokens: 'lots' }), /Max tokens/);
  });
});

describe('webview-ui/compare/labels', () => {
  it('wraps long variant ids at their dashes, leaves short names alone', () => {
    assert.deepStrictEqual(wrapLabel('phi-4-mini'), ['phi-4-mini']);
    assert.deepStrictEqual(wrapLabel('Phi-4-mini-instruct-generic-cpu:5'), ['Phi-4-mini-instruct-', 'generic-cpu:5']);
    assert.deepStrictEqual(wrapLabel('averyveryverylongnamewithoutdashes'), ['averyveryverylongnamewithoutdashes']);
  });
});
