import * as assert from 'assert';
import { COMPARE_LIMITS, MAX_PROMPT_CHARS, parseCompareMessage } from '../../../../src/protocol';

const form = (extra: Record<string, unknown> = {}) => ({
  models: ['phi-4-mini', 'gpt-oss-20b'],
  prompts: { kind: 'builtin', id: 'workshop-probes' },
  runs: 1,
  temperature: 0.5,
  maxTokens: 40,
  cold: false,
  ...extra,
});

describe('protocol: parseCompareMessage', () => {
  it('accepts every well-formed message and keeps only the known fields', () => {
    for (const type of ['ready', 'refresh', 'cancel', 'pickPromptFile', 'import', 'closeDiff']) {
      assert.deepStrictEqual(parseCompareMessage({ type, extra: 1 }), { type });
    }
    assert.deepStrictEqual(parseCompareMessage({ type: 'run', form: { ...form(), evil: '<script>' }, more: 1 }), { type: 'run', form: form() });
    assert.deepStrictEqual(parseCompareMessage({ type: 'export', format: 'md', target: 'workspace' }), { type: 'export', format: 'md', target: 'workspace' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'export', format: 'csv', target: 'dialog' }), { type: 'export', format: 'csv', target: 'dialog' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'openSaved', key: '20250101T000000000Z-abc123' }), { type: 'openSaved', key: '20250101T000000000Z-abc123' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'deleteSaved', key: 'a-b' }), { type: 'deleteSaved', key: 'a-b' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'diffSaved', before: 'a', after: 'b' }), { type: 'diffSaved', before: 'a', after: 'b' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'action', action: 'foundryLab.startService' }), { type: 'action', action: 'foundryLab.startService' });
    assert.deepStrictEqual(parseCompareMessage({ type: 'openLink', href: 'https://example.com' }), { type: 'openLink', href: 'https://example.com' });
  });

  it('cleans the form: trims and de-duplicates models, drops an empty judge, keeps a judge and each prompt source', () => {
    const msg = parseCompareMessage({ type: 'run', form: form({ models: [' phi-4-mini ', 'Phi-4-mini-instruct-generic-cpu:5', 'phi-4-mini'], judge: '  ' }) });
    assert.deepStrictEqual(msg, { type: 'run', form: form({ models: ['phi-4-mini', 'Phi-4-mini-instruct-generic-cpu:5'] }) });
    const judged = parseCompareMessage({ type: 'run', form: form({ judge: ' qwen3-0.6b ', cold: true, temperature: 0 }) });
    assert.deepStrictEqual(judged, { type: 'run', form: form({ judge: 'qwen3-0.6b', cold: true, temperature: 0 }) });
    assert.deepStrictEqual(parseCompareMessage({ type: 'run', form: form({ prompts: { kind: 'file', path: '/etc/passwd' } }) }), { type: 'run', form: form({ prompts: { kind: 'file' } }) });
    assert.deepStrictEqual(parseCompareMessage({ type: 'run', form: form({ prompts: { kind: 'text', text: 'Hi' } }) }), { type: 'run', form: form({ prompts: { kind: 'text', text: 'Hi' } }) });
  });

  it('drops unknown and malformed messages', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'ready',
      [],
      { type: 'run' },
      { type: 'run', form: form({ models: [] }) },
      { type: 'run', form: form({ models: 'phi-4-mini,gpt-oss-20b' }) },
      { type: 'run', form: form({ models: ['a', ''] }) },
      { type: 'run', form: form({ models: ['a', 5] }) },
      { type: 'run', form: form({ models: Array.from({ length: COMPARE_LIMITS.maxModels + 1 }, (_, i) => `m${i}`) }) },
      { type: 'run', form: form({ models: ['x'.repeat(600), 'b'] }) },
      { type: 'run', form: form({ runs: 0 }) },
      { type: 'run', form: form({ runs: 1.5 }) },
      { type: 'run', form: form({ runs: COMPARE_LIMITS.maxRuns + 1 }) },
      { type: 'run', form: form({ runs: '3' }) },
      { type: 'run', form: form({ temperature: -0.1 }) },
      { type: 'run', form: form({ temperature: 2.5 }) },
      { type: 'run', form: form({ temperature: Number.NaN }) },
      { type: 'run', form: form({ maxTokens: 0 }) },
      { type: 'run', form: form({ maxTokens: COMPARE_LIMITS.maxTokens + 1 }) },
      { type: 'run', form: form({ cold: 'yes' }) },
      { type: 'run', form: form({ judge: 7 }) },
      { type: 'run', form: form({ prompts: undefined }) },
      { type: 'run', form: form({ prompts: { kind: 'builtin' } }) },
      { type: 'run', form: form({ prompts: { kind: 'text', text: '   ' } }) },
      { type: 'run', form: form({ prompts: { kind: 'text', text: 'x'.repeat(MAX_PROMPT_CHARS + 1) } }) },
      { type: 'run', form: form({ prompts: { kind: 'url', url: 'https://x' } }) },
      { type: 'export', format: 'pdf', target: 'dialog' },
      { type: 'export', format: 'md', target: '/tmp/x.md' },
      { type: 'openSaved', key: '../../etc/passwd' },
      { type: 'openSaved', key: 'a/b' },
      { type: 'openSaved', key: '' },
      { type: 'deleteSaved' },
      { type: 'diffSaved', before: 'a', after: 'a' },
      { type: 'diffSaved', before: 'a' },
      { type: 'action', action: 'workbench.action.terminal.new' },
      { type: 'openLink', href: '' },
      { type: 'snapshot' },
    ];
    for (const raw of bad) assert.strictEqual(parseCompareMessage(raw), undefined, JSON.stringify(raw)?.slice(0, 120));
  });
});
