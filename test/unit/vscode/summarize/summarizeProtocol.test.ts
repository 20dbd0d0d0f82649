import * as assert from 'assert';
import { parseSummarizeMessage } from '../../../../src/protocol';
import { buildSummarizeHtml } from '../../../../src/vscode/summarize/summarizeHtml';
import { panelCsp } from '../../../../src/vscode/panel/panelHtml';

describe('vscode/summarize: the view\'s messages and page', () => {
  it('accepts the Summarize view\'s messages, with clean copies', () => {
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'stop' }), { type: 'stop' });
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'resetStats' }), { type: 'resetStats' });
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'baseline', id: 3 }), { type: 'baseline', id: 3 });
    for (const target of ['insertBelow', 'replace', 'copy', 'newDocument']) {
      assert.deepStrictEqual(parseSummarizeMessage({ type: 'apply', id: 1, target, text: 'injected' }), { type: 'apply', id: 1, target });
    }
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'openLink', href: 'https://example.com' }), { type: 'openLink', href: 'https://example.com' });
    assert.deepStrictEqual(parseSummarizeMessage({ type: 'action', action: 'foundryLab.startService' }), { type: 'action', action: 'foundryLab.startService' });
  });

  it('drops anything malformed or not allowed', () => {
    for (const raw of [
      null,
      'ready',
      [],
      { type: 'run' },
      { type: 'baseline' },
      { type: 'baseline', id: '1' },
      { type: 'baseline', id: 0 },
      { type: 'baseline', id: 1.5 },
      { type: 'apply', id: 1, target: 'delete' },
      { type: 'apply', target: 'copy' },
      { type: 'openLink', href: '' },
      { type: 'openLink', href: 'x'.repeat(10_000) },
      { type: 'action', action: 'workbench.action.terminal.new' },
    ]) {
      assert.strictEqual(parseSummarizeMessage(raw), undefined, JSON.stringify(raw)?.slice(0, 80));
    }
  });

  it('builds the page under the same strict CSP: one nonce\'d script, no inline code, no remote resources', () => {
    const html = buildSummarizeHtml({ cspSource: 'https://webview.test', nonce: 'NONCE', scriptUri: 'https://webview.test/dist/summarize.js', styleUri: 'https://webview.test/dist/summarize.css' });
    assert.ok(html.includes(`content="${panelCsp('https://webview.test', 'NONCE')}"`));
    assert.deepStrictEqual([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]), ['<script nonce="NONCE" src="https://webview.test/dist/summarize.js">']);
    assert.ok(!/<style\b|\sstyle=|\son[a-z]+=/i.test(html));
    assert.ok(!/https?:\/\/(?!webview\.test)/.test(html));
    for (const id of ['emulator-badge', 'runtime-state', 'summary-draft', 'summary-final', 'summary-phase', 'summary-stop', 'summary-decision', 'summary-stages', 'summary-diff', 'summary-baseline', 'summary-stats', 'summary-insert-below', 'summary-replace', 'summary-copy', 'summary-new-document']) {
      assert.strictEqual(html.split(`data-testid="${id}"`).length - 1, 1, id);
    }
  });
});
