import * as assert from 'assert';
import { MAX_PROMPT_CHARS, PANEL_ACTIONS, parseWebviewMessage } from '../../../src/protocol';

describe('protocol: parseWebviewMessage', () => {
  it('accepts every well-formed message and returns only the known fields', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'stop' }), { type: 'stop' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'run', model: ' phi-4-mini ', prompt: 'Hi', context: 'doc', evil: true }), {
      type: 'run',
      model: 'phi-4-mini',
      prompt: 'Hi',
      context: 'doc',
    });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'run', model: 'm', prompt: 'p' }), { type: 'run', model: 'm', prompt: 'p', context: '' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'openLink', href: 'https://example.com' }), { type: 'openLink', href: 'https://example.com' });
    for (const action of PANEL_ACTIONS) assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action }), { type: 'action', action });
  });

  it('drops unknown and malformed messages', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'ready',
      42,
      [],
      { type: 'unknown' },
      { type: 7 },
      {},
      { type: 'run', model: '', prompt: 'p' },
      { type: 'run', model: 'm', prompt: '   ' },
      { type: 'run', model: 'm' },
      { type: 'run', model: 5, prompt: 'p' },
      { type: 'run', model: 'm', prompt: 'p', context: 3 },
      { type: 'run', model: 'm', prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) },
      { type: 'openLink' },
      { type: 'openLink', href: '' },
      { type: 'openLink', href: { toString: () => 'https://x' } },
      { type: 'action', action: 'workbench.action.terminal.new' },
      { type: 'action', action: 'foundryLab.openPanel ' },
    ];
    for (const raw of bad) assert.strictEqual(parseWebviewMessage(raw), undefined, `accepted ${JSON.stringify(raw)}`);
  });
});
