import * as assert from 'assert';
import { buildCompareHtml } from '../../../../src/vscode/compare/compareHtml';

describe('vscode/compare/compareHtml', () => {
  const html = buildCompareHtml({ cspSource: 'vscode-resource:', nonce: 'N0nce+/=', scriptUri: 'vscode-resource:/dist/compare.js', styleUri: 'vscode-resource:/dist/compare.css' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];

  it('has the strict CSP: no inline styles or scripts, no network, one nonce\'d script', () => {
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src vscode-resource:(;|$)/);
    assert.match(csp, /script-src 'nonce-N0nce\+\/='/);
    assert.match(csp, /connect-src 'none'/);
    assert.ok(!csp.includes('unsafe'), csp);
    assert.strictEqual((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="N0nce\+\/=" src="vscode-resource:\/dist\/compare\.js"><\/script>/);
    assert.ok(!/ style="/.test(html), 'no inline style attributes');
  });

  it('has every element the script and the in-editor tests look for', () => {
    for (const id of ['runtime-state', 'emulator-badge', 'model-choices', 'prompt-source', 'prompt-text', 'pick-prompt-file', 'runs', 'temperature', 'max-tokens', 'cold', 'judge', 'compare-run', 'compare-cancel', 'compare-error', 'progress', 'live-rows', 'results', 'saved-runs', 'import', 'diff-selected', 'diff']) {
      assert.ok(html.includes(`data-testid="${id}"`), id);
    }
  });
});
