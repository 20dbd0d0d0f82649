import * as assert from 'assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Frame } from 'playwright-core';
import { chatRequests } from './emulatorTruth';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

/**
 * The Compare view, driven as a person would: the palette command, the form, a run against the emulator's default
 * profile (phi-4-mini and gpt-oss-20b), the results table, the charts painted on their canvases, a Markdown report
 * exported into the workspace, Cancel, and the editor selection as the prompt. Small max tokens keep it quick.
 */
describe('Compare models in VS Code', function () {
  this.timeout(90000);
  const { wb: workbench } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));
  let wb: ReturnType<typeof workbench>;
  let view: Frame;
  before(() => {
    wb = workbench();
  });

  /** Ticks exactly these models, in this order (the order they run in). */
  async function pickModels(models: string[]): Promise<void> {
    const boxes = view.locator('[data-testid=model-option]');
    await wb.waitFor(async () => (await view.locator(`[data-testid=model-option][value="${models[0]}"]`).count()) > 0, 30000, 'the runtime\'s models in the form');
    for (const box of await boxes.all()) await box.setChecked(false);
    for (const m of models) await view.locator(`[data-testid=model-option][value="${m}"]`).setChecked(true);
  }

  async function fillForm(o: { runs: number; maxTokens: number; cold: boolean; source?: string }): Promise<void> {
    await view.locator('[data-testid=prompt-source]').selectOption(o.source ?? 'builtin:workshop-probes');
    await view.locator('[data-testid=runs]').fill(String(o.runs));
    await view.locator('[data-testid=temperature]').fill('0.5');
    await view.locator('[data-testid=max-tokens]').fill(String(o.maxTokens));
    await view.locator('[data-testid=cold]').setChecked(o.cold);
    await view.locator('[data-testid=judge]').selectOption('');
  }

  /** The result shown changes id with every run: that, not a visible results section, says this run ended. */
  async function runAndWait(): Promise<string> {
    const results = view.locator('[data-testid=results]');
    const before = (await results.getAttribute('data-run-id')) ?? '';
    await view.locator('[data-testid=compare-run]').click();
    let id = '';
    await wb.waitFor(async () => {
      id = (await results.getAttribute('data-run-id')) ?? '';
      return id !== '' && id !== before && (await results.isVisible());
    }, 60000, 'the comparison to finish');
    return id;
  }

  /** Pixels a chart has painted on its canvas (0 = blank), and the canvas's rendered size. */
  async function chartInk(testid: string): Promise<{ width: number; height: number; ink: number }> {
    return view.locator(`[data-testid=${testid}] canvas`).evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      const box = c.getBoundingClientRect();
      return { width: box.width, height: box.height, ink };
    });
  }

  it('Compare Models from the palette: phi-4-mini vs gpt-oss-20b, workshop probes, cold start — table, live rows, charts', async () => {
    await wb.runCommand('Foundry Local Lab: Compare Models');
    view = await wb.webviewFrame('[data-testid=compare-run]');
    await wb.waitFor(async () => view.locator('[data-testid=emulator-badge]').isVisible(), 20000, 'the EMULATOR badge');
    await pickModels(['phi-4-mini', 'gpt-oss-20b']);
    await fillForm({ runs: 1, maxTokens: 24, cold: true });
    await runAndWait();

    // Live rows: per model one cold request and one warm run of each of the two probes.
    const rows = await view.locator('[data-testid=live-row]').allInnerTexts();
    trace(`live rows:\n${rows.join('\n')}`);
    assert.strictEqual(rows.length, 6, rows.join('\n'));
    assert.match(await view.locator('[data-testid=progress]').innerText(), /^6\/6$/);

    const cards = view.locator('[data-testid=model-result]');
    assert.deepStrictEqual(await cards.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.model)), ['phi-4-mini', 'gpt-oss-20b']);
    const p50 = async (model: string, metric: string) =>
      Number.parseFloat(await view.locator(`[data-testid=model-result][data-model="${model}"] [data-testid=model-table] tr[data-metric=${metric}] td:nth-child(2)`).innerText());
    assert.ok((await p50('phi-4-mini', 'ttftMs')) > 0);
    assert.ok((await p50('gpt-oss-20b', 'decodeTps')) > 0);
    // The profile's truth shows through: the large model is slower to its first token.
    assert.ok((await p50('gpt-oss-20b', 'ttftMs')) > (await p50('phi-4-mini', 'ttftMs')));
    const phi = await view.locator('[data-testid=model-result][data-model="phi-4-mini"]').innerText();
    assert.match(phi, /Phi-4-mini-instruct-generic-gpu:5/);
    assert.match(phi, /Load time\s+[\d.]+ (ms|s)/);
    assert.match(await view.locator('[data-testid=result-title]').innerText(), /phi-4-mini vs gpt-oss-20b\s+EMULATOR/);
    assert.match(await view.locator('[data-testid=cost]').innerText(), /Simulation, not a quote/);
    assert.strictEqual(await view.locator('[data-testid=verdict]').count(), 2);
    assert.strictEqual(await view.locator('[data-testid=response-group]').count(), 2);

    for (const chart of ['chart-ttft', 'chart-decode', 'chart-timeline', 'chart-coldwarm']) {
      const { width, height, ink } = await chartInk(chart);
      assert.ok(width > 100 && height > 100, `${chart}: ${width}×${height}`);
      assert.ok(ink > 500, `${chart} painted ${ink} pixels`);
    }
    await view.locator('[data-testid=charts]').scrollIntoViewIfNeeded();
    await wb.screenshot('compare-results-charts');
  });

  it('exports a Markdown report into the workspace and saves the run', async () => {
    const dir = join(e2eEnv('workspace'), 'foundry-lab-reports');
    await view.locator('[data-testid=export-format]').selectOption('md');
    await view.locator('[data-testid=export-workspace]').click();
    let file = '';
    await wb.waitFor(async () => {
      file = existsSync(dir) ? (readdirSync(dir).find((f) => /^compare-.*\.md$/.test(f)) ?? '') : '';
      return !!file;
    }, 15000, 'the report in foundry-lab-reports/');
    const md = readFileSync(join(dir, file), 'utf8');
    assert.match(md, /^# Model comparison — phi-4-mini vs gpt-oss-20b/);
    assert.match(md, /\*\*EMULATOR\*\*/);
    assert.match(md, /Phi-4-mini-instruct-generic-gpu:5/);
    assert.match(md, /gpt-oss-20b-cuda-gpu:1/);
    assert.match(md, /## Cold start/);
    assert.match(md, /## Cost simulation/);
    assert.match(await view.locator('[data-testid=notice]').innerText(), /Exported to foundry-lab-reports\/compare-.*\.md/);
    // Every run is saved to the extension's storage and listed.
    await wb.waitFor(async () => (await view.locator('[data-testid=saved-run]').count()) >= 1, 10000, 'the saved run in the list');
    assert.match(await view.locator('[data-testid=saved-run]').first().innerText(), /phi-4-mini vs gpt-oss-20b/);
  });

  it('Cancel stops the comparison at once, keeps the finished requests, and the runtime sees the abort', async () => {
    await pickModels(['gpt-oss-20b', 'phi-4-mini']);
    await fillForm({ runs: 3, maxTokens: 60, cold: false });
    const startedAt = (await chatRequests()).length;
    const results = view.locator('[data-testid=results]');
    const before = await results.getAttribute('data-run-id');
    await view.locator('[data-testid=compare-run]').click();
    // Cancel is enabled once this run started (the rows of the last run are gone by then).
    await wb.waitFor(async () => view.locator('[data-testid=compare-cancel]').isEnabled(), 10000, 'the run to start');
    await wb.waitFor(async () => (await view.locator('[data-testid=live-row]').count()) >= 2, 30000, 'two finished requests');
    await view.locator('[data-testid=compare-cancel]').click();
    await wb.waitFor(async () => (await results.getAttribute('data-run-id')) !== before, 10000, 'the cancelled result');
    assert.match(await view.locator('[data-testid=result-title]').innerText(), /CANCELLED/);
    const kept = await view.locator('[data-testid=live-row]').count();
    assert.ok(kept >= 2 && kept < 2 * (1 + 2 * 3), `kept ${kept} rows`);
    await wb.waitFor(async () => (await chatRequests()).slice(startedAt).some((r) => r.aborted), 5000, 'the emulator to see an aborted request');
  });

  it('a model that cannot load keeps the other model\'s results and shows why, per model', async () => {
    // The profile's CPU variant of gpt-oss-20b is not downloaded: the runtime refuses to load it.
    await pickModels(['phi-4-mini', 'gpt-oss-20b-generic-cpu:1']);
    await fillForm({ runs: 1, maxTokens: 16, cold: false });
    await runAndWait();
    const failed = view.locator('[data-testid=model-result][data-model="gpt-oss-20b-generic-cpu:1"]');
    assert.match(await failed.locator('[data-testid=model-error]').innerText(), /Not measured further: .*(download|cache)/i);
    const p50 = await view.locator('[data-testid=model-result][data-model="phi-4-mini"] [data-testid=model-table] tr[data-metric=ttftMs] td:nth-child(2)').innerText();
    assert.ok(Number.parseFloat(p50) > 0, p50);
    assert.match(await view.locator('[data-testid=verdict][data-model="gpt-oss-20b-generic-cpu:1"]').innerText(), /not measured/);
  });

  it('saved runs: diff two, open one, delete one, import an exported JSON', async () => {
    const saved = view.locator('[data-testid=saved-run]');
    await wb.waitFor(async () => (await saved.count()) >= 3, 10000, 'three saved runs');
    const count = await saved.count();
    // Diff the first run with the newest: phi-4-mini's warm medians before → after.
    const oldest = saved.nth(count - 1);
    await oldest.locator('input[type=checkbox]').check();
    await saved.first().locator('input[type=checkbox]').check(); // the newest: phi-4-mini with a CPU variant that failed
    await view.locator('[data-testid=diff-selected]').click();
    const diff = view.locator('[data-testid=diff-table]');
    await diff.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await diff.innerText(), /phi-4-mini\s+Time to first token \(ms\), warm p50\s+[\d.]+\s+[\d.]+\s+[\d.]+×\s+(better|worse|same)/);

    // Open the oldest: the results section shows it again.
    const results = view.locator('[data-testid=results]');
    const shownBefore = await results.getAttribute('data-run-id');
    await oldest.locator('[data-testid=saved-open]').click();
    await wb.waitFor(async () => (await results.getAttribute('data-run-id')) !== shownBefore, 10000, 'the saved run to open');
    assert.match(await view.locator('[data-testid=result-title]').innerText(), /phi-4-mini vs gpt-oss-20b/);
    assert.match(await results.innerText(), /saved/);

    // Delete the newest, confirming in VS Code's dialog.
    await saved.first().locator('[data-testid=saved-delete]').click();
    const confirm = wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' });
    await confirm.first().waitFor({ state: 'visible', timeout: 10000 });
    await confirm.first().click();
    await wb.waitFor(async () => (await saved.count()) === count - 1, 10000, 'the run to leave the list');

    // Export the shown run as JSON into the workspace, then import it back through the file dialog.
    await view.locator('[data-testid=export-format]').selectOption('json');
    await view.locator('[data-testid=export-workspace]').click();
    const dir = join(e2eEnv('workspace'), 'foundry-lab-reports');
    let json = '';
    await wb.waitFor(async () => {
      json = readdirSync(dir).find((f) => /^compare-.*\.json$/.test(f)) ?? '';
      return !!json;
    }, 10000, 'the JSON export');
    assert.strictEqual(JSON.parse(readFileSync(join(dir, json), 'utf8')).format, 'foundry-local-lab/comparison@1');
    await view.locator('[data-testid=import]').click();
    // code-server's open dialog is VS Code's simple file dialog: type the path, then OK.
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    // The dialog fills in its starting folder a moment after it opens: type only after that, or it overwrites us.
    await wb.waitFor(async () => (await input.inputValue()).includes('workspace'), 10000, 'the dialog\'s starting folder');
    await input.fill(join(dir, json));
    // The dialog checks the typed path before it accepts it: OK until it closes.
    const ok = wb.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first();
    for (let attempt = 0; attempt < 5 && (await input.isVisible()); attempt++) {
      await wb.page.waitForTimeout(500);
      await ok.click({ timeout: 2000 }).catch(() => undefined);
      await input.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
    }
    await wb.waitFor(async () => /Imported foundry-lab-reports\/compare-.*\.json/.test(await view.locator('[data-testid=notice]').innerText()), 10000, 'the import notice');
    assert.match(await results.innerText(), /imported/);
  });

  it('a JSONL prompt file from the workspace: good lines kept, bad lines listed with their line numbers', async () => {
    writeFileSync(
      join(e2eEnv('workspace'), 'probes.jsonl'),
      ['{"prompt": "What is ONNX Runtime?", "reference": "An inference engine."}', '{"prompt": oops}', '', '{"reference": "no prompt"}', '{"id": "edge", "prompt": "Name one edge AI use."}'].join('\n') + '\n',
    );
    await view.locator('[data-testid=prompt-source]').selectOption('file');
    await view.locator('[data-testid=pick-prompt-file]').click();
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await wb.waitFor(async () => (await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'probes.jsonl' }).count()) > 0, 10000, 'probes.jsonl in the list');
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'probes.jsonl' }).first().click();
    await wb.waitFor(async () => /probes\.jsonl: 2 prompts, 2 lines skipped/.test(await view.locator('[data-testid=prompt-file]').innerText()), 10000, 'the file\'s summary');
    assert.deepStrictEqual(
      (await view.locator('[data-testid=prompt-file-issues] li').allInnerTexts()).map((t) => t.replace(/ \(.*/, '')),
      ['line 2: not JSON', 'line 4: no "prompt" string'],
    );
  });

  it('right-click → Compare Models on Selection makes the editor selection the prompt', async () => {
    const page = wb.page;
    // The keyboard back to the workbench (the webview's frame would keep the key presses).
    await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 }, timeout: 2000 }).catch(() => undefined);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill('notes.md');
    await wb.waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused').innerText({ timeout: 1000 })).includes('notes.md'), 10000, 'notes.md in Quick Open');
    await page.keyboard.press('Enter');
    await wb.waitFor(async () => (await page.locator('.tab.active', { hasText: 'notes.md' }).count()) > 0, 10000, 'notes.md open in an editor');
    const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    const item = page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Compare Models on Selection' });
    const prefilled = async () => {
      for (const f of page.frames()) {
        const box = f.locator('[data-testid=prompt-text]');
        if ((await box.count().catch(() => 0)) && /grounds answers in documents/.test(await box.inputValue({ timeout: 1000 }).catch(() => ''))) return true;
      }
      return false;
    };
    // A context menu can swallow a click that comes as it opens: retry the gesture (never press keys into the editor).
    for (let attempt = 0; attempt < 3 && !(await prefilled()); attempt++) {
      await lines.click();
      await page.keyboard.press('Control+A');
      await lines.click({ button: 'right' });
      await item.first().waitFor({ state: 'visible', timeout: 10000 });
      await item.first().hover();
      await page.waitForTimeout(300);
      await item.first().click();
      await wb.waitFor(prefilled, 5000, 'the selection in the Compare view').catch(() => page.keyboard.press('Escape'));
    }
    view = await wb.webviewFrame('[data-testid=compare-run]');
    await wb.waitFor(async () => /grounds answers in documents/.test(await view.locator('[data-testid=prompt-text]').inputValue()), 15000, 'the selection in the prompt box');
    assert.strictEqual(await view.locator('[data-testid=prompt-source]').inputValue(), 'text');
    assert.match(await view.locator('[data-testid=notice]').innerText(), /selection in notes\.md/);
    // The view was hidden behind notes.md and rebuilt from the host's snapshot: the last result and its charts are back.
    assert.ok(await view.locator('[data-testid=results]').isVisible(), 'the result after the view was hidden');
    assert.ok((await chartInk('chart-ttft')).ink > 500, 'the chart redrawn');
  });

  it('a window reload brings the Compare view back: the form and the saved runs', async function () {
    this.timeout(240000); // reloadWindow rests 62 s first
    const saved = await view.locator('[data-testid=saved-run]').count();
    assert.ok(saved >= 1);
    await wb.reloadWindow();
    // No command: VS Code restores the tab and the extension's serializer revives it.
    view = await wb.webviewFrame('[data-testid=compare-run]');
    assert.strictEqual(await wb.page.locator('.tab', { hasText: 'Foundry Local Lab: Compare' }).count(), 1);
    await wb.waitFor(async () => (await view.locator('[data-testid=saved-run]').count()) === saved, 15000, 'the saved runs after the reload');
    await wb.waitFor(async () => (await view.locator('[data-testid=model-option]').count()) > 0, 20000, 'the models in the form');
    // Leave no editors behind for the next spec's window (VS Code restores them).
    await wb.runCommand('View: Close All Editors');
  });
});
