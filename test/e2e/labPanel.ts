import type { Frame } from 'playwright-core';
import type { Workbench } from './workbench';

const ENDED = ['done', 'failed', 'stopped'];

/** The Foundry Local Lab panel's page, read and driven through its data-testid selectors (CONTRACTS.md). */
export class LabPanel {
  private constructor(
    private readonly wb: Workbench,
    readonly frame: Frame,
  ) {}

  /** Runs "Open Panel" from the palette and finds the panel's document among the page's frames. */
  static async open(wb: Workbench): Promise<LabPanel> {
    await wb.runCommand('Foundry Local Lab: Open Panel');
    return new LabPanel(wb, await wb.webviewFrame('[data-testid=prompt]', 30000));
  }

  /** The panel's page when it is already open (restored by VS Code after a reload), without running a command. */
  static async find(wb: Workbench): Promise<LabPanel> {
    return new LabPanel(wb, await wb.webviewFrame('[data-testid=prompt]', 30000));
  }

  testid(id: string) {
    return this.frame.locator(`[data-testid=${id}]`);
  }

  async text(id: string): Promise<string> {
    return (await this.testid(id).innerText({ timeout: 5000 })).trim();
  }

  async phase(): Promise<string> {
    return this.text('phase');
  }

  /**
   * Chooses the model, types the prompt, clicks Run and waits for the run to end. A run has ended when the phase
   * says so and the history has one more row (the phase alone could still say "done" from the previous run).
   */
  async run(model: string, prompt: string, timeoutMs = 60000): Promise<void> {
    await this.chooseModel(model);
    await this.testid('prompt').fill(prompt);
    const before = await this.historyRows();
    await this.testid('run').click();
    await this.wb.waitFor(
      async () => ENDED.includes(await this.phase()) && (await this.historyRows()) > before,
      timeoutMs,
      `the ${model} run to end`,
      async () => `phase "${await this.phase()}", ${await this.historyRows()} history rows`,
    );
  }

  async chooseModel(model: string): Promise<void> {
    const select = this.testid('model-select');
    await this.wb.waitFor(async () => (await select.locator(`option[value="${model}"]`).count()) > 0, 20000, `${model} among the panel's models`, async () =>
      (await select.locator('option').allInnerTexts()).join(', '),
    );
    await select.selectOption(model);
  }

  async historyRows(): Promise<number> {
    return this.frame.locator('[data-testid=history] .history-row').count();
  }

  /** The value cell of a metrics row, as a number (NaN when it is not one). */
  async metric(key: string): Promise<number> {
    const cell = this.frame.locator(`[data-testid=metrics] [data-metric=${key}] td:nth-child(2)`);
    return Number.parseFloat((await cell.innerText({ timeout: 5000 })).replace(/,/g, ''));
  }

  async metricText(key: string): Promise<string> {
    return (await this.frame.locator(`[data-testid=metrics] [data-metric=${key}]`).innerText({ timeout: 5000 })).trim();
  }
}
