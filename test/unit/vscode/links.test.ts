import * as assert from 'assert';
import { openableLink } from '../../../src/vscode/panel/links';

describe('vscode/panel/links: openableLink', () => {
  it('opens plain http(s) links', () => {
    assert.strictEqual(openableLink('https://learn.microsoft.com/azure/ai-foundry/')?.href, 'https://learn.microsoft.com/azure/ai-foundry/');
    assert.strictEqual(openableLink(' http://127.0.0.1:5273/v1 ')?.host, '127.0.0.1:5273');
  });

  it('refuses every other scheme, credentials and garbage', () => {
    for (const href of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://foo', 'data:text/html,<script>', 'https://user:pw@example.com/', '/relative', '#anchor', 'not a url', ''])
      assert.strictEqual(openableLink(href), undefined, href);
  });
});
