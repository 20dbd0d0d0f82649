import * as assert from 'assert';
import type { Frame } from 'playwright-core';
import { emulatorRequests, env, Workbench } from './workbench';

describe('in VS Code: status, the playground panel, discovery', function () {
  this.timeout(180000);
  let wb: Workbench;
  let panel: Frame;

  before(async () => {
    wb = await Workbench.open();
  });
  after(async () => {
    await wb?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`failed-${this.currentTest.title}`);
  });

  it('shows the runtime in the status bar', async () => {
    await wb.waitFor(async () => /Foundry \(emulator\)/.test(await wb.statusBarText()), 30000, 'the emulator state in the status bar');
  });

  it('Show Runtime Status names the endpoint and says it is the EMULATOR', async () => {
    await wb.runCommand('Foundry Local Lab: Show Runtime Status');
    const text = await wb.waitForNotification(/EMULATOR/);
    assert.ok(text.includes(env('E2E_EMULATOR_URL')), text);
    await wb.clearNotifications();
  });

  async function runPrompt(model: string, prompt: string): Promise<void> {
    await panel.locator('[data-testid=model-select]').selectOption(model);
    await panel.locator('[data-testid=prompt]').fill(prompt);
    // A finished run joins the history: that, not the phase (still "done" from the last run), says this one ended.
    const runs = panel.locator('[data-testid=history] .history-row');
    const before = await runs.count();
    await panel.locator('[data-testid=run]').click();
    await wb.waitFor(async () => (await runs.count()) > before, 60000, 'the run to end');
  }

  const metric = async (key: string) => Number.parseFloat(await panel.locator(`[data-testid=metrics] [data-metric=${key}] td:nth-child(2)`).innerText());

  it('Open Panel runs a prompt: streamed answer, labelled emulated, with timeline metrics', async () => {
    await wb.runCommand('Foundry Local Lab: Open Panel');
    panel = await wb.webviewFrame('[data-testid=prompt]');
    await wb.waitFor(async () => panel.locator('[data-testid=emulator-badge]').isVisible(), 20000, 'the EMULATOR badge');
    await runPrompt('phi-4-mini', 'Summarize retrieval augmented generation in 2 sentences.');
    assert.strictEqual((await panel.locator('[data-testid=phase]').innerText()).trim(), 'done');
    const answer = await panel.locator('[data-testid=answer]').innerText();
    assert.match(answer, /^\[emulated\]/);
    assert.ok((await metric('ttftMs')) > 0);
    assert.ok((await metric('decodeTps')) > 0);
    assert.match(await panel.locator('[data-testid=model-info]').innerText(), /Phi-4-mini-instruct-generic-gpu:5/);
    await wb.screenshot('panel-after-run');
  });

  it('keeps gpt-oss reasoning out of the answer', async () => {
    await runPrompt('gpt-oss-20b', 'List 5 creative IoT edge AI ideas.');
    const answer = await panel.locator('[data-testid=answer]').innerText();
    assert.ok(!answer.includes('<|'), answer.slice(0, 200));
    const reasoning = await panel.locator('[data-testid=reasoning]').textContent();
    assert.match(reasoning ?? '', /emulated thinking/);
    assert.ok((await metric('ttfatMs')) > (await metric('ttftMs')));
  });

  it('Stop cancels the request: the runtime sees the abort', async () => {
    await panel.locator('[data-testid=model-select]').selectOption('gpt-oss-20b');
    await panel.locator('[data-testid=prompt]').fill('A long answer, please.');
    await panel.locator('[data-testid=run]').click();
    await wb.waitFor(async () => (await panel.locator('[data-testid=phase]').innerText()).trim() === 'streaming', 30000, 'streaming');
    await panel.locator('[data-testid=stop]').click();
    await wb.waitFor(async () => (await panel.locator('[data-testid=phase]').innerText()).trim() === 'stopped', 10000, 'the stopped phase');
    await wb.waitFor(async () => {
      const chats = (await emulatorRequests()).filter((r) => r.path === '/v1/chat/completions');
      return chats[chats.length - 1]?.aborted === true;
    }, 5000, 'the emulator to see the abort');
  });

  async function setEndpoint(value: string): Promise<void> {
    await wb.runCommand('Foundry Local Lab: Set Endpoint');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(value);
    await wb.page.keyboard.press('Enter');
  }

  it('Set Endpoint to a port where nothing answers: a clear message with actions, no stack trace', async () => {
    await setEndpoint('http://127.0.0.1:9');
    const text = await wb.waitForNotification(/127\.0\.0\.1:9/);
    assert.match(text, /Set Endpoint/);
    assert.ok(!/\bat .+:\d+:\d+\)/.test(text), 'no stack trace');
    await wb.waitFor(async () => !/emulator/.test(await wb.statusBarText()), 10000, 'the status bar to leave the emulator state');
    await wb.clearNotifications();
  });

  it('an empty endpoint finds Foundry Local through the foundry CLI', async () => {
    await setEndpoint('');
    const text = await wb.waitForNotification(/connected to/);
    assert.ok(text.includes(env('E2E_EMULATOR_URL')), text);
    await wb.clearNotifications();
    await wb.runCommand('Foundry Local Lab: Show Runtime Status');
    assert.match(await wb.waitForNotification(/foundry server status/), /EMULATOR/);
    await wb.clearNotifications();
  });
});
