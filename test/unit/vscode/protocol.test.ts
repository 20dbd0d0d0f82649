import * as assert from 'assert';
import { MAX_PROMPT_CHARS, PANEL_ACTIONS, parseWebviewMessage } from '../../../src/protocol';
import { MAX_QUESTION_CHARS, parseAskMessage } from '../../../src/protocol'; // --- Ask ---

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

// --- Ask ---
describe('protocol: parseAskMessage', () => {
  it('accepts every well-formed message of the Ask view and returns only the known fields', () => {
    for (const type of ['ready', 'stop', 'clear'] as const) assert.deepStrictEqual(parseAskMessage({ type, extra: 1 }), { type });
    assert.deepStrictEqual(parseAskMessage({ type: 'ask', question: ' Where is auth? ', scope: 'x' }), { type: 'ask', question: ' Where is auth? ' });
    for (const kind of ['workspace', 'openFiles', 'folder']) assert.deepStrictEqual(parseAskMessage({ type: 'setScope', kind, path: '/etc' }), { type: 'setScope', kind });
    assert.deepStrictEqual(parseAskMessage({ type: 'openSource', turnId: 3, n: 2, path: '/etc/passwd' }), { type: 'openSource', turnId: 3, n: 2 });
    assert.deepStrictEqual(parseAskMessage({ type: 'code', turnId: 1, role: 'large', index: 0, action: 'insert', code: 'rm -rf /' }), { type: 'code', turnId: 1, role: 'large', index: 0, action: 'insert' });
    assert.deepStrictEqual(parseAskMessage({ type: 'code', turnId: 1, role: 'small', index: 2, action: 'copy' }), { type: 'code', turnId: 1, role: 'small', index: 2, action: 'copy' });
    assert.deepStrictEqual(parseAskMessage({ type: 'openLink', href: 'https://example.com' }), { type: 'openLink', href: 'https://example.com' });
    for (const action of PANEL_ACTIONS) assert.deepStrictEqual(parseAskMessage({ type: 'action', action }), { type: 'action', action });
  });

  it('drops unknown and malformed Ask messages (a path from the webview is never a field)', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'ask',
      [],
      { type: 'run', model: 'm', prompt: 'p' },
      { type: 'ask' },
      { type: 'ask', question: '  \n ' },
      { type: 'ask', question: 5 },
      { type: 'ask', question: 'x'.repeat(MAX_QUESTION_CHARS + 1) },
      { type: 'setScope', kind: 'everything' },
      { type: 'setScope' },
      { type: 'openSource', turnId: 1 },
      { type: 'openSource', turnId: 0, n: 1 },
      { type: 'openSource', turnId: 1, n: 0 },
      { type: 'openSource', turnId: 1, n: 1.5 },
      { type: 'openSource', turnId: '1', n: 1 },
      { type: 'openSource', turnId: 1, n: 100000 },
      { type: 'code', turnId: 1, role: 'judge', index: 0, action: 'copy' },
      { type: 'code', turnId: 1, role: 'small', index: -1, action: 'copy' },
      { type: 'code', turnId: 1, role: 'small', index: 0, action: 'run' },
      { type: 'code', turnId: 1, role: 'small', action: 'copy' },
      { type: 'openLink', href: '' },
      { type: 'action', action: 'workbench.action.terminal.new' },
      { type: 'action', action: 'foundryLab.clearAskHistory' },
    ];
    for (const raw of bad) assert.strictEqual(parseAskMessage(raw), undefined, `accepted ${JSON.stringify(raw)}`);
  });
});
// --- end Ask ---
