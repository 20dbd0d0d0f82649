import * as assert from 'assert';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Frame } from 'playwright-core';
import { addFault, chatRequests, clearFaults, replayChat, wordsOf } from './emulatorTruth';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

/**
 * Summarize from the editor: a flagged topic ("revenue", in brief.txt) makes the escalation deterministic — the
 * draft is refined whatever the emulator's draft looks like; notes.md mentions no flagged topic and its draft is
 * short, so it is not refined. A small refine budget keeps gpt-oss-20b quick.
 */
describe('Summarize from the editor context menu', function () {
  this.timeout(90000);
  const { wb } = withWorkbench(() => ({
    'foundryLab.endpoint': e2eEnv('emulatorUrl'),
    'foundryLab.summarize.policy.flaggedTopics': ['revenue'],
    'foundryLab.summarize.refineMaxTokens': 160,
  }));
  let view: Frame;
  const testid = (id: string) => view.locator(`[data-testid=${id}]`);
  const text = async (id: string) => (await testid(id).innerText({ timeout: 5000 })).trim();

  // Quick Open, retried until a file written just before shows up (the shared helper).
  const openFile = (name: string) => wb().openFile(name);

  /** The active editor's lines as the editor renders them (Monaco draws spaces as no-break spaces). */
  async function editorText(): Promise<string> {
    const lines = await wb().page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
    return lines.join('\n').replace(/\u00a0/g, ' ');
  }

  async function waitForSummary(count: number): Promise<void> {
    await wb().waitFor(
      async () => ['done', 'failed', 'stopped'].includes(await text('summary-phase')) && (await statValue('count')) === String(count),
      60000,
      `summary #${count} to finish`,
      async () => `phase ${await text('summary-phase')} ${await text('summary-phase-detail')}, stats ${await text('summary-stats')}`,
    );
  }

  const statValue = async (key: string) => (await view.locator(`[data-testid=summary-stats] [data-stat=${key}] td:nth-child(2)`).innerText({ timeout: 1000 }).catch(() => '')).trim();
  const stageMetric = async (stage: string, key: string) =>
    Number.parseFloat(await view.locator(`[data-testid=summary-stages] [data-stage=${stage}] [data-metric=${key}] td:nth-child(2)`).innerText({ timeout: 5000 }));

  it('right-click → "Summarize with phi-4-mini" on a selection: draft, refinement, the rule that fired, timelines, figures', async () => {
    const page = wb().page;
    await openFile('brief.txt');
    const editorLines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await page.keyboard.press('Control+A');
    await editorLines.click({ button: 'right' });
    const item = page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Summarize with phi-4-mini' });
    await item.first().waitFor({ state: 'visible', timeout: 10000 });
    await wb().screenshot('summarize-context-menu');
    const before = (await chatRequests()).length;
    await item.first().click();

    view = await wb().webviewFrame('[data-testid=summary-draft]', 30000);
    await waitForSummary(1);
    assert.strictEqual(await text('summary-phase'), 'done', `error: ${await text('summary-error').catch(() => '')}`);
    assert.match(await text('summary-source'), /brief\.txt — the selection, 65 characters/);
    assert.ok(await testid('emulator-badge').isVisible(), 'the EMULATOR badge');

    // Two requests reached the runtime: the draft (phi-4-mini) and the refinement (gpt-oss-20b), with the settings.
    const chats = (await chatRequests()).slice(before);
    assert.deepStrictEqual(chats.map((c) => c.body?.model), ['Phi-4-mini-instruct-generic-gpu:5', 'gpt-oss-20b-cuda-gpu:1']);
    assert.strictEqual(chats[1].body?.max_tokens, 160, 'the refine budget from the settings');
    const draft = await replayChat(chats[0]);
    const refined = await replayChat(chats[1]);
    assert.deepStrictEqual(wordsOf(await text('summary-draft')), wordsOf(draft.answer), 'the draft pane shows what the draft model sent');
    assert.deepStrictEqual(wordsOf(await text('summary-final')), wordsOf(refined.answer), 'the final pane shows the refinement, without its reasoning');
    assert.match(await text('summary-final-title'), /refined by gpt-oss-20b/i);

    // Which rule escalated, and why.
    assert.match(await text('summary-decision'), /Escalated to gpt-oss-20b/);
    assert.match(await view.locator('[data-testid=summary-decision] [data-rule=flagged-topic]').innerText(), /flagged topic: revenue/);
    // The diff of draft → final, each stage's timeline, the blended cost (labelled simulated).
    assert.ok(await testid('summary-diff').isVisible(), 'the diff');
    assert.ok((await stageMetric('draft', 'ttftMs')) > 0);
    assert.ok((await stageMetric('refine', 'ttftMs')) > 0);
    assert.ok((await stageMetric('refine', 'decodeTps')) > 0);
    assert.match(await text('summary-totals'), /All stages: .* blended cost \$[\d.e-]+ SIMULATED/);
    assert.strictEqual(await statValue('escalationRate'), '100% (1 of 1)');
    trace(`decision: ${await text('summary-decision')}; totals: ${await text('summary-totals')}`);
    await wb().screenshot('summarize-after-refine');
  });

  it('"Insert below" puts the final summary into the editor, under the selection', async () => {
    const chats = await chatRequests();
    const refined = await replayChat(chats[chats.length - 1]);
    await testid('summary-insert-below').click();
    const expected = wordsOf(refined.answer);
    await wb().waitFor(async () => wordsOf(await editorText()).join(' ').includes(expected.join(' ')), 10000, 'the whole summary in the editor', editorText);
    const page = wb().page;
    await page.keyboard.press('Control+S');
    const file = join(e2eEnv('workspace'), 'brief.txt');
    await wb().waitFor(async () => readFileSync(file, 'utf8').length > 70, 10000, 'brief.txt saved');
    const saved = readFileSync(file, 'utf8');
    assert.ok(saved.startsWith('Quarterly update: revenue grew eight percent; costs stayed flat.\n'), saved.slice(0, 100));
    assert.deepStrictEqual(wordsOf(saved).slice(-wordsOf(refined.answer).length), wordsOf(refined.answer), 'the whole refined summary follows the brief');
    await wb().screenshot('summarize-inserted');
  });

  it('"Compare with the large model alone" measures the always-LLM baseline on the same input', async () => {
    const before = (await chatRequests()).length;
    await testid('summary-baseline').click();
    await wb().waitFor(async () => (await statValue('baselineCount')) === '1 of 1', 60000, 'the baseline to be measured', () => text('summary-baseline-result'));
    const chats = (await chatRequests()).slice(before);
    assert.deepStrictEqual(chats.map((c) => c.body?.model), ['gpt-oss-20b-cuda-gpu:1']);
    assert.match(await text('summary-baseline-result'), /Large model alone: [\d.]+ m?s, \$[\d.e-]+\. This cascade: /);
    assert.ok((await view.locator('[data-testid=summary-baseline-result] [data-stage=baseline] [data-metric=e2eMs] td:nth-child(2)').innerText()).length > 0);
    assert.match(await statValue('savingCostRatio'), /%/);
    await wb().screenshot('summarize-baseline');
  });

  it('the palette command on a file with nothing selected: the whole file, not refined when no rule fires', async () => {
    await openFile('notes.md');
    const before = (await chatRequests()).length;
    await wb().runCommand('Foundry Local Lab: Summarize Selection');
    // notes.md opened over the hidden view; revealed again, its webview is a new document.
    view = await wb().webviewFrame('[data-testid=summary-draft]', 30000);
    await waitForSummary(2);
    assert.match(await text('summary-source'), /notes\.md — the whole file/);
    const chats = (await chatRequests()).slice(before);
    assert.deepStrictEqual(chats.map((c) => c.body?.model), ['Phi-4-mini-instruct-generic-gpu:5'], 'no refinement request');
    assert.match(await text('summary-decision'), /Not escalated: no rule fired/);
    assert.match(await text('summary-final-title'), /the draft, unrefined/i);
    assert.deepStrictEqual(wordsOf(await text('summary-final')), wordsOf(await text('summary-draft')));
    assert.strictEqual(await statValue('escalationRate'), '50% (1 of 2)');
    await wb().screenshot('summarize-not-refined');
  });

  it('an empty file: a clear message, no request', async () => {
    writeFileSync(join(e2eEnv('workspace'), 'empty.txt'), '\n  \n');
    await openFile('empty.txt');
    const before = (await chatRequests()).length;
    await wb().runCommand('Foundry Local Lab: Summarize Selection');
    const note = await wb().waitForNotification(/empty\.txt is empty: there is nothing to summarize/, 10000);
    assert.deepStrictEqual(note.buttons, []);
    assert.strictEqual((await chatRequests()).length, before);
    await wb().clearNotifications();
  });

  it('the refine model failing: the draft is kept as the final summary, the error shown with its actions', async () => {
    await addFault({ kind: 'http-500', model: 'gpt-oss-20b-cuda-gpu:1' });
    try {
      await openFile('brief.txt');
      await wb().runCommand('Foundry Local Lab: Summarize Selection');
      view = await wb().webviewFrame('[data-testid=summary-draft]', 30000);
      await waitForSummary(3);
      assert.strictEqual(await text('summary-phase'), 'done');
      assert.strictEqual(await text('summary-phase-detail'), 'draft kept — the refinement failed');
      assert.match(await view.locator('[data-testid=summary-decision] [data-rule=flagged-topic]').innerText(), /revenue/);
      assert.ok(await testid('summary-refine-error').isVisible(), 'the refine error');
      assert.match(await text('summary-refine-error'), /The refinement failed — the draft is kept as the final summary/);
      assert.deepStrictEqual(await view.locator('[data-testid=summary-refine-error] button').allInnerTexts(), ['Open Logs']);
      assert.match(await text('summary-final-title'), /the draft, unrefined/i);
      assert.deepStrictEqual(wordsOf(await text('summary-final')), wordsOf(await text('summary-draft')));
      assert.ok(await testid('summary-insert-below').isEnabled(), 'the kept draft can be inserted');
      assert.strictEqual(await statValue('escalationRate'), '33% (1 of 3)');
      await wb().screenshot('summarize-refine-failed');
    } finally {
      await clearFaults();
    }
  });
});

