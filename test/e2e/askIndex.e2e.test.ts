import * as assert from 'assert';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

/** The workspace index from the palette and the side bar: Rebuild Index, Show Index Status, the Index view. */
describe('Workspace index: Rebuild Index and Show Index Status', function () {
  this.timeout(120000);
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));

  async function editorText(): Promise<string> {
    const lines = await wb().page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
    return lines.join('\n').replace(/\u00a0/g, ' ');
  }

  it('Rebuild Index builds the index of the workspace and says how many files it holds', async () => {
    await wb().runCommand('Foundry Local Lab: Rebuild Index');
    const { message } = await wb().waitForNotification(/Index rebuilt: \d+ files, \d+ chunks/, 60000);
    const files = Number(/(\d+) files/.exec(message)![1]);
    assert.ok(files >= 2, `the workspace's files are indexed: ${message}`);
    await wb().clearNotifications();
  });

  it('Show Index Status opens a summary per folder: files, chunks, size on disk, build time, skips, cap, storage', async () => {
    await wb().runCommand('Foundry Local Lab: Show Index Status');
    await wb().waitFor(async () => (await wb().page.locator('.tab.active', { hasText: 'Index Status' }).count()) > 0, 15000, 'the Index Status document');
    await wb().waitFor(async () => /# Workspace index/.test(await editorText()), 15000, 'the status text', editorText);
    const text = await editorText();
    trace(`index status: ${text}`);
    for (const row of ['Files', 'Chunks', 'Size on disk', 'Build time', 'Skipped', 'Capped', 'Stored at']) assert.match(text, new RegExp(`\\| ${row} \\|`), `${row} in:\n${text}`);
    assert.match(text, /\| Capped \| no \(cap 20,000\) \|/);
    // The long path wraps in the editor: its first part is enough.
    assert.match(text, /\| Stored at \| .*workspaceStorage/, 'stored in the workspace storage');
    await wb().screenshot('index-status');
  });

  it('the Index view in the Foundry Local Lab side bar lists the folder and its facts', async () => {
    await wb().runCommand('Foundry Local Lab: Focus on Index View');
    const view = wb().page.locator('.pane', { has: wb().page.locator('.pane-header', { hasText: 'Index' }) });
    await wb().waitFor(async () => (await view.locator('.monaco-list-row').count()) > 3, 15000, 'rows in the Index view', () => view.innerText());
    const rows = (await view.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    trace(`index view: ${JSON.stringify(rows)}`);
    // A row's label and description come without a space between them in innerText.
    assert.ok(rows.some((r) => /up to date ?· ?\d+ files/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^Chunks ?\d+/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^Stored at ?.*workspaceStorage/.test(r)), rows.join('\n'));
    await wb().screenshot('index-view');
  });
});
