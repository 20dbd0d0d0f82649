import { mkdirSync } from 'fs';
import { join } from 'path';
import { Browser, chromium, Frame, Page } from 'playwright-core';

/** Drives VS Code (code-server) in headless Chromium as a person would: palette, notifications, webviews. */
export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async open(): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${env('E2E_CODE_SERVER_URL')}?folder=${encodeURIComponent(env('E2E_WORKSPACE'))}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    const wb = new Workbench(browser, page);
    await wb.waitFor(async () => (await wb.statusBarText()).includes('Foundry'), 60000, 'the extension to activate (status bar item)');
    return wb;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Runs a command from the palette by its full title, checking that it is the one selected. */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+Shift+P');
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      try {
        await input.waitFor({ state: 'visible', timeout: 5000 });
      } catch {
        continue;
      }
      // The palette opens with '>' already typed: type the title only.
      await input.fill(`>${title}`);
      const focused = this.page.locator('.quick-input-list .monaco-list-row.focused');
      try {
        await this.waitFor(async () => (await focused.first().innerText().catch(() => '')).split('\n')[0].trim() === title, 5000, `"${title}" in the palette`);
      } catch {
        continue;
      }
      await this.page.keyboard.press('Enter');
      return;
    }
    throw new Error(`could not run "${title}" from the command palette`);
  }

  async statusBarText(): Promise<string> {
    return (await this.page.locator('.statusbar-item').allInnerTexts()).join(' | ');
  }

  /** The text of visible notifications (toasts), newest last. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item').allInnerTexts();
  }

  async waitForNotification(match: RegExp, timeoutMs = 30000): Promise<string> {
    let found = '';
    await this.waitFor(async () => {
      found = (await this.notifications()).find((n) => match.test(n)) ?? '';
      return !!found;
    }, timeoutMs, `a notification matching ${match}`);
    return found;
  }

  async clearNotifications(): Promise<void> {
    // A short timeout: a toast that is fading out is not clickable, and the default wait is 30 s.
    for (const b of await this.page.locator('.notification-toast .codicon-notifications-clear, .notification-toast .codicon-close').all()) await b.click({ timeout: 1000 }).catch(() => undefined);
    await this.page.keyboard.press('Escape');
  }

  /** The webview frame whose document has `selector` (a webview is an iframe inside an iframe). */
  async webviewFrame(selector: string, timeoutMs = 30000): Promise<Frame> {
    let frame: Frame | undefined;
    await this.waitFor(async () => {
      for (const f of this.page.frames()) {
        if (await f.locator(selector).count().catch(() => 0)) {
          frame = f;
          return true;
        }
      }
      return false;
    }, timeoutMs, `a webview with ${selector}`);
    return frame!;
  }

  async screenshot(name: string): Promise<string> {
    const dir = env('E2E_RESULTS');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await cond()) return;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function emulatorRequests(): Promise<{ path: string; aborted: boolean; finished: boolean; model?: string }[]> {
  return (await fetch(`${env('E2E_EMULATOR_URL')}/__emulator/requests`)).json() as Promise<any>;
}

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the in-editor tests with npm test (scripts/e2e.mjs)`);
  return v;
}
