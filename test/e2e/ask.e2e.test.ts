import * as assert from 'assert';
import { cpSync, rmSync } from 'fs';
import { join } from 'path';
import type { Frame } from 'playwright-core';
import { addFault, chatRequests, clearFaults } from './emulatorTruth';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

const PHI_GPU = 'Phi-4-mini-instruct-generic-gpu:5';

/**
 * The Ask the Workspace chat in the side bar, on a small fixture workspace (test/fixtures/ask-workspace, copied into
 * the test workspace): a streamed answer grounded in the index with [n] citations that open the cited lines, the
 * sources list and the breakdown, the fallback to the large model, Stop keeping what streamed, and the history
 * surviving a reload.
 */
describe('Ask the Workspace: the side-panel chat', function () {
  this.timeout(120000);
  const fixture = () => join(e2eEnv('workspace'), 'ask-workspace');
  // Before the workbench opens (this hook is registered first), so the index sees the files from the start.
  before(() => cpSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ask-workspace'), fixture(), { recursive: true }));
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));
  after(async () => {
    await clearFaults().catch(() => undefined);
    rmSync(fixture(), { recursive: true, force: true });
  });

  let view: Frame;
  const testid = (id: string) => view.locator(`[data-testid=${id}]`);
  const lastTurn = () => view.locator('[data-testid=ask-turn]').last();

  async function openView(): Promise<void> {
    await wb().runCommand('Foundry Local Lab: Ask the Workspace');
    view = await wb().webviewFrame('[data-testid=ask-question]', 30000);
  }

  async function ask(question: string): Promise<void> {
    const box = testid('ask-question');
    const before = await view.locator('[data-testid=ask-turn]').count();
    await box.fill(question);
    await box.press('Enter');
    await wb().waitFor(
      async () => (await view.locator('[data-testid=ask-turn]').count()) > before || (await testid('ask-notice').isVisible()),
      15000,
      'the question to become a turn',
      async () => `frame ${view.isDetached() ? 'detached' : 'attached'}; box: ${JSON.stringify(await box.inputValue({ timeout: 1000 }).catch(() => '?'))}`,
    );
  }

  async function waitForTurn(count: number, phases: string[], timeoutMs = 60000): Promise<void> {
    await wb().waitFor(
      async () => (await view.locator('[data-testid=ask-turn]').count()) === count && phases.includes((await lastTurn().getAttribute('data-phase', { timeout: 1000 })) ?? ''),
      timeoutMs,
      `turn ${count} to reach ${phases.join('/')}`,
      async () => `${await view.locator('[data-testid=ask-turn]').count()} turns, last: ${(await lastTurn().innerText({ timeout: 1000 }).catch(() => '')).slice(0, 400)}`,
    );
  }

  it('asks from the view: a streamed answer whose [n] citations show path:start-end, the sources and the breakdown', async () => {
    await openView();
    await wb().waitFor(() => testid('emulator-badge').isVisible(), 30000, 'the EMULATOR badge', () => testid('runtime-state').innerText());
    const before = (await chatRequests()).length;
    await ask('How does verifyToken reject an expired token?');
    await waitForTurn(1, ['done', 'failed']);
    const turn = lastTurn();
    assert.strictEqual(await turn.getAttribute('data-phase'), 'done', await turn.innerText());

    // One request, to the small model, grounded: numbered sources from the fixture in its last message.
    const chats = (await chatRequests()).slice(before);
    assert.deepStrictEqual(chats.map((c) => c.body?.model), [PHI_GPU]);
    const messages = chats[0].body?.messages as { role: string; content: string }[];
    assert.match(messages[0].content, /ONLY the provided context/);
    assert.match(messages[messages.length - 1].content, /\[\d+\] ask-workspace\/src\/auth\/tokens\.ts:\d+-\d+/);

    const answer = turn.locator('[data-testid=ask-answer]');
    assert.match(await answer.innerText(), /emulated/i);
    const citations = answer.locator('[data-testid=ask-citation]');
    assert.ok((await citations.count()) >= 1, 'citations in the answer');
    const labels = (await citations.locator('.cite-label').allInnerTexts()).map((l) => l.trim());
    trace(`citations: ${labels.join(', ')}`);
    for (const l of labels) assert.match(l, /^ask-workspace\/\S+:\d+-\d+$/);

    const sources = turn.locator('[data-testid=ask-source]');
    assert.ok((await sources.count()) >= 2, 'the retrieved chunks are listed');
    assert.match(await turn.locator('[data-testid=ask-sources] summary').innerText(), /Sources — \d+ retrieved, \d+ cited/);
    assert.ok((await turn.locator('[data-testid=ask-source][data-cited=true]').count()) >= 1, 'cited sources are marked');
    assert.match(await sources.first().innerText(), /score \d/);

    const breakdown = turn.locator('[data-testid=ask-breakdown]');
    assert.match(await breakdown.locator('[data-stage=retrieval] [data-metric=retrievalMs]').innerText(), /\d+(\.\d+)? (ms|s) · \d+ sources/);
    assert.match(await breakdown.locator('[data-stage=small] [data-metric=ttftMs]').innerText(), /\d+(\.\d+)? (ms|s)/);
    assert.match(await breakdown.locator('[data-stage=small] [data-metric=promptTokens]').innerText(), /^\d+$/);
    assert.match(await breakdown.locator('[data-stage=small] [data-metric=generationMs]').innerText(), /\d+(\.\d+)? (ms|s)/);
    assert.strictEqual(await turn.locator('[data-testid=ask-fallback]').count(), 0, 'no fallback: the small answer cites its sources');
    await wb().screenshot('ask-answer');
  });

  it('a click on a citation opens the file with the cited lines selected', async () => {
    const citation = lastTurn().locator('[data-testid=ask-answer] [data-testid=ask-citation]').first();
    const label = (await citation.locator('.cite-label').innerText()).trim();
    const [, file, start, end] = /^(.+):(\d+)-(\d+)$/.exec(label)!;
    const name = file.split('/').pop()!;
    await citation.click();
    const page = wb().page;
    await wb().waitFor(async () => (await page.locator('.tab.active', { hasText: name }).count()) > 0, 15000, `${name} in the active editor`);
    // The selection runs from the first cited line to the end of the last: the cursor is on the last line.
    const selection = new RegExp(`Ln ${end}, Col \\d+ \\(\\d+ selected\\)`);
    await wb().waitFor(async () => selection.test(await wb().statusBarText()), 10000, `the status bar to show ${selection}`, () => wb().statusBarText());
    const selected = Number(/\((\d+) selected\)/.exec(await wb().statusBarText())![1]);
    trace(`opened ${label}: ${await wb().statusBarText()}`);
    assert.ok(selected > 0 && Number(end) >= Number(start));
    await wb().screenshot('ask-citation-opened');
  });

  it('the small model saying the context is insufficient escalates to the large model, both answers shown', async () => {
    await openView();
    const before = (await chatRequests()).length;
    await addFault({ kind: 'reply', text: 'The context is insufficient.', model: PHI_GPU });
    await ask('What does refreshToken do when the token expires soon?');
    await waitForTurn(2, ['done', 'failed'], 90000);
    const turn = lastTurn();
    assert.strictEqual(await turn.getAttribute('data-phase'), 'done', await turn.innerText());
    const chats = (await chatRequests()).slice(before);
    assert.deepStrictEqual(chats.map((c) => c.body?.model), [PHI_GPU, 'gpt-oss-20b-cuda-gpu:1']);
    assert.match(await turn.locator('[data-testid=ask-fallback]').innerText(), /^Escalated to gpt-oss-20b — .*the small model found the context insufficient/);
    assert.strictEqual(await turn.locator('[data-testid=ask-answer]').getAttribute('data-role'), 'large');
    const small = turn.locator('[data-testid=ask-small-answer]');
    assert.strictEqual(await small.getAttribute('open'), null, "the small model's answer is collapsed");
    await small.locator('summary').click();
    assert.match(await small.innerText(), /The context is insufficient\./);
    assert.ok(await turn.locator('[data-testid=ask-breakdown] [data-stage=large]').isVisible(), 'the large stage in the breakdown');
    await wb().screenshot('ask-fallback');
  });

  it('Stop on a slow answer: the phase says it waits, the abort reaches the server, what streamed is kept', async () => {
    // The first token comes after a long wait: the view says what it waits for, and Stop ends it.
    await addFault({ kind: 'slow-first-token', delayMs: 60000, model: PHI_GPU });
    await ask('Where is the tax rate of an invoice?');
    await wb().waitFor(async () => /waiting for the first token/.test(await testid('ask-phase').innerText()), 30000, 'the waiting phase', () => testid('ask-phase').innerText());
    await testid('ask-stop').click();
    await waitForTurn(3, ['stopped'], 20000);
    assert.match(await lastTurn().locator('[data-testid=ask-stopped]').innerText(), /Stopped before any answer streamed/);
    await wb().waitFor(async () => (await chatRequests()).slice(-1)[0].aborted, 10000, 'the abort to reach the emulator');

    // A stream that stalls after a few words: those words stay, marked stopped.
    await addFault({ kind: 'stall-after', afterTokens: 4, model: PHI_GPU });
    await ask('How is invoiceTotal rounded?');
    const answer = () => lastTurn().locator('[data-testid=ask-answer]');
    await wb().waitFor(async () => (await view.locator('[data-testid=ask-turn]').count()) === 4 && (await answer().innerText({ timeout: 1000 })).trim().length > 0, 30000, 'the first words');
    const partial = (await answer().innerText()).trim();
    await testid('ask-stop').click();
    await waitForTurn(4, ['stopped'], 20000);
    assert.strictEqual((await answer().innerText()).trim(), partial, 'the streamed part is kept');
    assert.match(await lastTurn().locator('[data-testid=ask-stopped]').innerText(), /the part streamed so far is kept/);
    await wb().waitFor(async () => (await chatRequests()).slice(-1)[0].aborted, 10000, 'the abort to reach the emulator');
    assert.ok(await testid('ask-stop').isDisabled());
    await wb().screenshot('ask-stopped');
    await clearFaults();
  });

  it('the history of the workspace survives a reload of the window; Clear empties it', async function () {
    this.timeout(240000); // reloadWindow rests 62 s first
    await wb().reloadWindow();
    await openView();
    await wb().waitFor(async () => (await view.locator('[data-testid=ask-turn]').count()) === 4, 20000, 'the four turns restored');
    assert.match(await view.locator('[data-testid=ask-turn]').first().locator('[data-testid=ask-turn-question]').innerText(), /verifyToken/);
    assert.strictEqual(await view.locator('[data-testid=ask-turn]').nth(3).getAttribute('data-phase'), 'stopped');
    // Citations of a restored answer still open their file.
    assert.ok((await view.locator('[data-testid=ask-turn]').first().locator('[data-testid=ask-citation]').count()) >= 1);
    await testid('ask-clear').click();
    await wb().waitFor(async () => (await view.locator('[data-testid=ask-turn]').count()) === 0, 10000, 'the history cleared');
    assert.ok(await testid('ask-empty').isVisible());
  });

  it('"Ask the Workspace" with a selection quotes it in the question box; "A folder…" scopes the sources', async () => {
    const page = wb().page;
    await wb().openFile('invoice.ts');
    await page.keyboard.press('Control+A');
    // The palette without the shared helper's Escape, which would clear the editor's selection first.
    const palette = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    await palette.waitFor({ state: 'visible', timeout: 10000 });
    await palette.fill('>Foundry Local Lab: Ask the Workspace');
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    await wb().waitFor(async () => (await row.first().innerText({ timeout: 1000 })).split('\n')[0].trim() === 'Foundry Local Lab: Ask the Workspace', 10000, 'the command in the palette');
    await page.keyboard.press('Enter');
    view = await wb().webviewFrame('[data-testid=ask-question]', 30000);
    await wb().waitFor(async () => /^ask-workspace\/src\/billing\/invoice\.ts:1-\d+\n> \/\*\* Invoices/.test(await testid('ask-question').inputValue()), 10000, 'the quoted selection', () => testid('ask-question').inputValue());
    assert.match(await testid('ask-question').inputValue(), /\n> export const TAX_RATE = 0\.2;\n/);

    await testid('ask-scope').selectOption('folder');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill('ask-workspace/src/billing');
    const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    await wb().waitFor(async () => (await focused.first().innerText({ timeout: 1000 })).split('\n')[0].trim() === 'ask-workspace/src/billing', 10000, 'the folder in the quick pick');
    await page.keyboard.press('Enter');
    await wb().waitFor(async () => (await view.locator('[data-testid=ask-scope] option[value=folder]').innerText()) === 'Folder: ask-workspace/src/billing', 10000, 'the scope');
    const before = (await chatRequests()).length;
    await testid('ask-question').fill('How is the invoice total computed and rounded?');
    await testid('ask-question').press('Enter');
    await waitForTurn(1, ['done', 'failed']);
    const last = (await chatRequests()).slice(before)[0].body?.messages as { content: string }[];
    const labels = [...last[last.length - 1].content.matchAll(/^\[\d+\] (\S+):\d+-\d+$/gm)].map((m) => m[1]);
    assert.ok(labels.length >= 1, last[last.length - 1].content);
    for (const l of labels) assert.match(l, /^ask-workspace\/src\/billing\//, 'only sources from the chosen folder');
    assert.match(await lastTurn().locator('.turn-meta').innerText(), /Folder: ask-workspace\/src\/billing/);
    await testid('ask-scope').selectOption('workspace');
  });

  it('hostile model output: rendered as sanitized markdown — no script, no handler, no followable link', async () => {
    await addFault({ kind: 'reply', model: PHI_GPU, text: 'Tokens expire after thirty minutes [1]. <img src=x onerror="document.body.dataset.pwned=1"> <script>document.body.dataset.pwned=2</script> [click](javascript:document.body.dataset.pwned=3) <a href="command:workbench.action.terminal.new">terminal</a>' });
    await testid('ask-question').fill('When do tokens expire?');
    await testid('ask-question').press('Enter');
    await waitForTurn(2, ['done', 'failed']);
    const answer = lastTurn().locator('[data-testid=ask-answer]');
    assert.ok((await answer.locator('[data-testid=ask-citation]').count()) >= 1, 'the real citation is still a link');
    assert.strictEqual(await answer.locator('img, script, [onerror], [href]').count(), 0, await answer.innerHTML());
    for (const link of await answer.locator('[data-href]').all()) await link.click();
    await new Promise((r) => setTimeout(r, 1000));
    assert.strictEqual(await view.evaluate(() => document.body.dataset.pwned ?? ''), '', 'no payload ran');
    assert.strictEqual(await wb().page.locator('.terminal-outer-container, .integrated-terminal').count(), 0, 'no terminal opened');
    await clearFaults();
  });

  it('a code block in an answer: Insert puts it at the cursor of the active editor, on a click only', async () => {
    await addFault({ kind: 'reply', model: PHI_GPU, text: 'Tokens live for thirty minutes [1]; compute the limit like this:\n\n```ts\nconst limitMs = TOKEN_LIFETIME_MS; // from the answer\n```\n' });
    await testid('ask-question').fill('How long does a token live?');
    await testid('ask-question').press('Enter');
    await waitForTurn(3, ['done', 'failed']);
    const turn = lastTurn();
    assert.match(await turn.locator('[data-testid=ask-answer] pre').innerText(), /const limitMs = TOKEN_LIFETIME_MS;/);
    const editorText = async () => (await wb().page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
    assert.ok(!(await editorText()).includes('limitMs'), 'nothing is inserted before the click');
    await turn.locator('[data-testid=ask-code-insert]').first().click();
    await wb().waitFor(async () => (await editorText()).includes('const limitMs = TOKEN_LIFETIME_MS; // from the answer'), 10000, 'the code in the editor', editorText);
    await wb().waitFor(async () => /Code inserted into invoice\.ts/.test(await testid('ask-notice').innerText()), 5000, 'the notice');
    await wb().screenshot('ask-code-inserted');
    await clearFaults();
  });

  it('a failed answer: the error inline with its actions and Retry, the question back in the box', async () => {
    await addFault({ kind: 'http-503', times: 20 });
    const question = 'Which function issues tokens?';
    await testid('ask-question').fill(question);
    await testid('ask-question').press('Enter');
    await waitForTurn(4, ['failed', 'done'], 60000);
    const turn = lastTurn();
    assert.strictEqual(await turn.getAttribute('data-phase'), 'failed', await turn.innerText());
    const error = turn.locator('[data-testid=ask-error]');
    assert.match(await error.locator('.error-message').innerText(), /503|unavailable|server/i);
    const buttons = (await error.locator('button').allInnerTexts()).map((b) => b.trim());
    assert.ok(buttons.includes('Open Logs') && buttons.includes('Retry'), buttons.join(', '));
    assert.strictEqual(await testid('ask-question').inputValue(), question, 'kept to be retried');
    assert.ok((await turn.locator('[data-testid=ask-source]').count()) >= 1, 'the sources found before the failure are listed');
    await wb().screenshot('ask-error');
    await clearFaults();
    await error.locator('button', { hasText: 'Retry' }).click();
    await waitForTurn(5, ['done', 'failed']);
    assert.strictEqual(await lastTurn().getAttribute('data-phase'), 'done');
    assert.strictEqual(await lastTurn().locator('[data-testid=ask-turn-question]').innerText(), question);
  });
});

describe('Ask the Workspace: embeddings re-ranking (foundryLab.ask.embeddings.model)', function () {
  this.timeout(120000);
  const fixture = () => join(e2eEnv('workspace'), 'ask-workspace');
  before(() => cpSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ask-workspace'), fixture(), { recursive: true }));
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl'), 'foundryLab.ask.embeddings.model': 'emulated-embed' }));
  after(() => rmSync(fixture(), { recursive: true, force: true }));

  it('the lexical candidates go through /v1/embeddings before the answer, and the answer still cites them', async () => {
    const embeddings = async () =>
      ((await (await fetch(`${e2eEnv('emulatorUrl')}/__emulator/requests`)).json()) as { path: string; body?: { model?: string; input?: string[] } }[]).filter((r) => r.path === '/v1/embeddings');
    const before = (await embeddings()).length;
    await wb().runCommand('Foundry Local Lab: Ask the Workspace');
    const view = await wb().webviewFrame('[data-testid=ask-question]', 30000);
    await view.locator('[data-testid=ask-question]').fill('How does verifyToken reject an expired token?');
    await view.locator('[data-testid=ask-question]').press('Enter');
    const turn = view.locator('[data-testid=ask-turn]').last();
    await wb().waitFor(async () => ['done', 'failed'].includes((await turn.getAttribute('data-phase', { timeout: 1000 })) ?? ''), 60000, 'the answer', () => turn.innerText());
    assert.strictEqual(await turn.getAttribute('data-phase'), 'done', await turn.innerText());
    const calls = (await embeddings()).slice(before);
    assert.strictEqual(calls.length, 1, 'one embeddings request: the question and the candidates');
    assert.strictEqual(calls[0].body?.model, 'emulated-embed');
    assert.strictEqual(calls[0].body?.input?.[0], 'How does verifyToken reject an expired token?');
    assert.ok((await turn.locator('[data-testid=ask-answer] [data-testid=ask-citation]').count()) >= 1);
  });
});
