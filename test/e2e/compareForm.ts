import type { Frame } from 'playwright-core';
import type { Workbench } from './workbench';

/**
 * The Compare view opened from the palette with exactly `models` ticked, a typed prompt, one warm run, no cold start
 * and no judge — the setup the hostile-content and fault specs share. `run()` clicks Run and waits for the result.
 */
export async function openCompareForm(wb: Workbench, o: { models: string[]; maxTokens: number; prompt?: string }): Promise<{ view: Frame; run: () => Promise<void> }> {
  await wb.runCommand('Foundry Local Lab: Compare Models');
  const view = await wb.webviewFrame('[data-testid=compare-run]', 30000);
  await wb.waitFor(async () => (await view.locator(`[data-testid=model-option][value="${o.models[0]}"]`).count()) > 0, 30000, 'the models in the Compare form');
  for (const box of await view.locator('[data-testid=model-option]').all()) await box.setChecked(false);
  for (const m of o.models) await view.locator(`[data-testid=model-option][value="${m}"]`).setChecked(true);
  await view.locator('[data-testid=prompt-source]').selectOption('text');
  if (o.prompt !== undefined) await view.locator('[data-testid=prompt-text]').fill(o.prompt);
  await view.locator('[data-testid=runs]').fill('1');
  await view.locator('[data-testid=max-tokens]').fill(String(o.maxTokens));
  await view.locator('[data-testid=cold]').setChecked(false);
  await view.locator('[data-testid=judge]').selectOption('');
  const results = view.locator('[data-testid=results]');
  /** The result shown changes id with every run: that, not a visible results section, says this run ended. */
  const run = async () => {
    const before = (await results.getAttribute('data-run-id')) ?? '';
    await view.locator('[data-testid=compare-run]').click();
    await wb.waitFor(
      async () => {
        const id = (await results.getAttribute('data-run-id')) ?? '';
        return id !== '' && id !== before && (await results.isVisible());
      },
      90000,
      'the comparison to finish',
      async () => (await view.locator('body').innerText({ timeout: 1000 }).catch(() => '')).slice(-400),
    );
  };
  return { view, run };
}
