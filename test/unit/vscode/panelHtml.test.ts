import * as assert from 'assert';
import { buildPanelHtml, createNonce, panelCsp } from '../../../src/vscode/panel/panelHtml';

// The selectors the in-editor tests rely on (CONTRACTS: "Webview/e2e selectors").
const CONTRACT_TEST_IDS = ['runtime-state', 'emulator-badge', 'model-select', 'prompt', 'context', 'run', 'stop', 'answer', 'reasoning', 'metrics', 'error', 'phase'];

describe('vscode/panel/panelHtml', () => {
  const nonce = createNonce();
  const html = buildPanelHtml({ cspSource: 'https://webview.test', nonce, scriptUri: 'https://webview.test/dist/webview.js', styleUri: 'https://webview.test/dist/webview.css' });

  it('sets the strict CSP: nothing by default, local styles/fonts, one nonce’d script, no network', () => {
    assert.strictEqual(
      panelCsp('https://webview.test', 'N'),
      "default-src 'none'; style-src https://webview.test; script-src 'nonce-N'; img-src https://webview.test data:; font-src https://webview.test; connect-src 'none'",
    );
    assert.ok(html.includes(`content="${panelCsp('https://webview.test', nonce)}"`));
    assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  });

  it('loads one script, with the nonce, and has no inline script, style or handler', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepStrictEqual(scripts, [`<script nonce="${nonce}" src="https://webview.test/dist/webview.js">`]);
    assert.ok(!/<style\b/.test(html));
    assert.ok(!/\sstyle=/.test(html));
    assert.ok(!/\son[a-z]+=/i.test(html));
    assert.ok(!/https?:\/\/(?!webview\.test)/.test(html), 'no remote resources');
  });

  it('has every data-testid of the contract, once', () => {
    for (const id of CONTRACT_TEST_IDS) assert.strictEqual(html.split(`data-testid="${id}"`).length - 1, 1, id);
    assert.ok(/<details data-testid="reasoning"/.test(html) && !/<details[^>]*\sopen/.test(html), 'reasoning is a collapsed <details>');
    assert.ok(/<table data-testid="metrics"/.test(html));
    assert.ok(/<title>Foundry Local Lab<\/title>/.test(html));
  });

  it('makes a fresh unguessable nonce each time', () => {
    const a = createNonce();
    assert.notStrictEqual(a, createNonce());
    assert.ok(Buffer.from(a, 'base64').length >= 16);
  });
});
