import * as assert from 'assert';
import { rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

/** The workspace index from the palette and the side bar (Rebuild Index, Show Index Status, the Index view) and as files change. */
describe('Workspace index: Rebuild Index, Show Index Status, the Index view and the file watcher', function () {
  this.timeout(120000);
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));

  it('Rebuild Index builds the index of the workspace and says how many files it holds', async () => {
    await wb().runCommand('Foundry Local Lab: Rebuild Index');
    const { message } = await wb().waitForNotification(/Index rebuilt: \d+ files, \d+ chunks/, 60000);
    const files = Number(/(\d+) files/.exec(message)![1]);
    assert.ok(files >= 2, `the workspace's files are indexed: ${message}`);
    await wb().clearNotifications();
  });

  it('Show Index Status opens a summary per folder, rendered: files, chunks, size on disk, build time, skips, cap, storage', async () => {
    await wb().runCommand('Foundry Local Lab: Show Index Status');
    await wb().waitFor(async () => (await wb().page.locator('.tab.active', { hasText: 'Index Status' }).count()) > 0, 15000, 'the Index Status preview');
    // The built-in Markdown preview renders the document: headings and tables, not Markdown source.
    const preview = await wb().webviewFrame('h1:has-text("Workspace index")', 15000, { ours: false });
    await wb().waitFor(async () => (await preview.locator('table tr').count()) > 5, 15000, 'the status tables');
    const rows = (await preview.locator('table tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    trace(`index status: ${JSON.stringify(rows)}`);
    for (const row of ['Files', 'Chunks', 'Size on disk', 'Build time', 'Skipped', 'Capped', 'Stored at']) assert.ok(rows.some((r) => r.startsWith(`${row} `)), `${row} in:\n${rows.join('\n')}`);
    assert.ok(rows.includes('Capped no (cap 20,000)'), rows.join('\n'));
    assert.ok(rows.some((r) => /^Stored at .*workspaceStorage/.test(r)), 'stored in the workspace storage');
    assert.strictEqual(await preview.locator('body').innerText().then((t) => t.includes('| Files |')), false, 'rendered, not shown as source');
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

  it('follows the file watcher: a new file is indexed, an ignore file refreshes the folder, a deleted file leaves', async () => {
    const workspace = e2eEnv('workspace');
    const view = wb().page.locator('.pane', { has: wb().page.locator('.pane-header', { hasText: 'Index' }) });
    const rows = async () => (await view.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    const fileCount = async () => Number(/up to date ?· ?(\d+) files/.exec((await rows()).join('\n'))?.[1] ?? -1);
    const waitForFiles = (n: number, what: string) => wb().waitFor(async () => (await fileCount()) === n, 20000, what, async () => (await rows()).join(' / '));
    const before = await fileCount();
    assert.ok(before >= 2, `indexed files before: ${before}`);
    const probe = join(workspace, 'index-probe.md');
    const ignore = join(workspace, '.foundrylabignore');
    try {
      writeFileSync(probe, '# Probe\n\nA file written while the editor is open.\n');
      await waitForFiles(before + 1, 'the new file in the index');
      // The ignore file is itself a file of the folder: the count stays, one file more is skipped.
      const skipped = async () => Number(/^Skipped ?(\d+)/m.exec((await rows()).join('\n'))?.[1] ?? -1);
      const skippedBefore = await skipped();
      writeFileSync(ignore, 'index-probe.md\n');
      await wb().waitFor(async () => (await skipped()) === skippedBefore + 1, 20000, 'the ignored file skipped', async () => (await rows()).join(' / '));
      rmSync(ignore);
      await waitForFiles(before + 1, 'the file back once the ignore file is gone');
      rmSync(probe);
      await waitForFiles(before, 'the deleted file out of the index');
    } finally {
      rmSync(probe, { force: true });
      rmSync(ignore, { force: true });
    }
  });
});
