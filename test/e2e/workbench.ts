import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import type { Browser, Frame, Page } from 'playwright-core';
import { e2eEnv, useSettings } from './suiteContext';

const openBrowsers = new Set<Browser>();

/** E2E_VERBOSE=1: what the tests read from the UI, on stderr. */
export function trace(line: string): void {
  if (process.env.E2E_VERBOSE) process.stderr.write(`[e2e] ${line}\n`);
}

/** Closes every browser a test opened (run.ts, when the run is cut short). */
export async function closeAllBrowsers(timeoutMs = 5000): Promise<void> {
  const closing = Promise.all([...openBrowsers].map((b) => b.close().catch(() => undefined)));
  await Promise.race([closing, new Promise((r) => setTimeout(r, timeoutMs))]);
}

/**
 * Drives VS Code (code-server) in headless Chromium as a person would: the command palette, notifications, the
 * status bar and webviews. One Workbench is one browser with one window on the test workspace.
 */
export class Workbench {
  /** The page's and its webviews' console errors and uncaught exceptions, newest last (printed when a test fails). */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
  ) {
    const keep = (line: string) => {
      this.consoleErrors.push(`${new Date().toISOString().slice(11, 23)} ${line.slice(0, 500)}`);
      if (this.consoleErrors.length > 40) this.consoleErrors.shift();
    };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') keep(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => keep(`uncaught: ${e.message}`));
  }

  /** Opens the workspace and waits until the workbench is up and the extension has put its status bar item up. */
  static async open(): Promise<Workbench> {
    // Loaded from the path run.ts resolved (the repo's devDependency, or the copy next to code-server).
    const { chromium } = require(e2eEnv('playwright')) as typeof import('playwright-core');
    const browser = await chromium.launch({
      executablePath: e2eEnv('chromium'),
      // run.ts owns the signals: it closes the browsers, then stops the servers and reports (playwright would exit).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    openBrowsers.add(browser);
    browser.on('disconnected', () => openBrowsers.delete(browser));
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const wb = new Workbench(browser, page);
      await page.goto(`${e2eEnv('codeServerUrl')}?folder=${encodeURIComponent(e2eEnv('workspace'))}`);
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      await wb.waitFor(async () => (await wb.statusBarText()).includes('Foundry'), 60000, 'the extension to activate (its status bar item)');
      await wb.clearNotifications();
      return wb;
    } catch (e) {
      const page = browser.contexts()[0]?.pages()[0];
      if (page) await new Workbench(browser, page).screenshot('failed-workbench-open').catch(() => undefined);
      await browser.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /**
   * Runs a command from the palette by its full title and checks that the palette selected exactly that command
   * before pressing Enter. Retries when the quick input does not open (focus in a webview, a toast in the way).
   */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const focused = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    for (let attempt = 0; attempt < 4; attempt++) {
      await this.page.keyboard.press('Escape');
      if (attempt > 0) await this.focusWorkbench();
      await this.page.keyboard.press(attempt % 2 === 0 ? 'Control+Shift+P' : 'F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(`>${title}`);
        await this.waitFor(async () => (await focused.first().innerText({ timeout: 1000 }).catch(() => '')).split('\n')[0].trim() === title, 5000, `"${title}" in the palette`);
      } catch {
        continue;
      }
      await this.page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
      return;
    }
    await this.screenshot(`failed-palette-${title}`).catch(() => undefined);
    throw new Error(`could not run "${title}" from the command palette`);
  }

  /**
   * Opens a workspace file through Quick Open (Ctrl+P) and puts the keyboard in its editor. A file written a moment
   * ago may not be in the file search yet: the query is typed again until it shows up.
   */
  async openFile(name: string, timeoutMs = 30000): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const focused = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    const end = Date.now() + timeoutMs;
    for (let attempt = 0; Date.now() < end; attempt++) {
      await this.page.keyboard.press('Escape');
      if (attempt > 0) await this.focusWorkbench();
      await this.page.keyboard.press('Control+P');
      if (!(await input.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false))) continue;
      await input.fill(name);
      const listed = await this.waitFor(async () => (await focused.first().innerText({ timeout: 1000 })).includes(name), 4000, `${name} in Quick Open`).then(
        () => true,
        () => false,
      );
      if (!listed) continue;
      await this.page.keyboard.press('Enter');
      await this.waitFor(async () => (await this.page.locator('.tab.active', { hasText: name }).count()) > 0, 10000, `${name} open in an editor`);
      await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
      return;
    }
    throw new Error(`could not open ${name} through Quick Open within ${timeoutMs} ms`);
  }

  /** Gives the keyboard back to the workbench (out of a webview, whose frame would keep the key presses). */
  private async focusWorkbench(): Promise<void> {
    await this.page.locator('.part.statusbar').click({ position: { x: 5, y: 5 }, timeout: 2000 }).catch(() => undefined);
  }

  async statusBarText(): Promise<string> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts()).join(' | ');
  }

  /** The status bar item of the extension (its accessible name is the item's name, "Foundry Local Lab"). */
  async foundryStatusItem(): Promise<string> {
    const items = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return items.find((t) => t.includes('Foundry')) ?? '';
  }

  /** The hover the extension's status bar item shows (its tooltip). */
  async foundryStatusTooltip(): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'Foundry' }).first();
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'Foundry Local Lab' });
    for (let attempt = 0; attempt < 3 && !(await hover.isVisible()); attempt++) {
      await this.page.mouse.move(0, 0);
      await item.hover({ timeout: 5000 });
      await hover.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
    }
    const text = (await hover.first().innerText({ timeout: 5000 })).trim();
    trace(`status bar tooltip: ${JSON.stringify(text)}`);
    await this.page.mouse.move(0, 0);
    return text;
  }

  /** The visible notification toasts: their message and the labels of their buttons. */
  async notifications(): Promise<{ message: string; buttons: string[] }[]> {
    const out: { message: string; buttons: string[] }[] = [];
    for (const item of await this.page.locator('.notification-toast .notification-list-item').all()) {
      const message = (await item.locator('.notification-list-item-message').innerText({ timeout: 1000 }).catch(() => '')).trim();
      const buttons = (await item.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts().catch(() => [])).map((b) => b.trim());
      out.push({ message, buttons });
    }
    return out;
  }

  async waitForNotification(match: RegExp, timeoutMs = 30000): Promise<{ message: string; buttons: string[] }> {
    let found: { message: string; buttons: string[] } | undefined;
    await this.waitFor(
      async () => {
        found = (await this.notifications()).find((n) => match.test(n.message));
        return !!found;
      },
      timeoutMs,
      `a notification matching ${match}`,
      async () => `visible: ${JSON.stringify(await this.notifications())}`,
    );
    trace(`notification: ${JSON.stringify(found)}`);
    return found!;
  }

  /** Closes every toast (a fading one is not clickable: short timeouts, the default wait is 30 s). */
  async clearNotifications(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const closers = await this.page.locator('.notification-toast .codicon-notifications-clear, .notification-toast .codicon-close').all();
      if (!closers.length) break;
      for (const b of closers) await b.click({ timeout: 1000 }).catch(() => undefined);
    }
    await this.page.keyboard.press('Escape');
  }

  /**
   * The webview frame whose document has `selector` (a webview is an iframe inside an iframe), once its script has
   * attached its listeners (pageWired: `body[data-wired=true]`) — before that, a click or Enter would be lost.
   */
  async webviewFrame(selector: string, timeoutMs = 30000, opts: { ours?: boolean } = {}): Promise<Frame> {
    const ours = opts.ours ?? true; // false: a webview of VS Code's own (the Markdown preview), which has no pageWired
    let frame: Frame | undefined;
    await this.waitFor(
      async () => {
        for (const f of this.page.frames()) {
          if ((await f.locator(selector).count().catch(() => 0)) && (!ours || (await f.locator('body[data-wired=true]').count().catch(() => 0)))) {
            frame = f;
            return true;
          }
        }
        return false;
      },
      timeoutMs,
      `a webview with ${selector}`,
    );
    return frame!;
  }

  /**
   * Reloads the window as a person does after working in it for a while. VS Code in the browser saves its state (the
   * open editors, the panels to restore, the pages' setState) when the window loses focus (headless Chromium never
   * loses it) or every 60 s when idle — not at unload, where async work is unsupported; a reload right after a change
   * restores an older state. So: 62 s of rest first.
   */
  async reloadWindow(): Promise<void> {
    await new Promise((r) => setTimeout(r, 62000));
    await this.page.reload();
    await this.page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    await this.waitFor(async () => (await this.statusBarText()).includes('Foundry'), 60000, 'the extension after the reload');
  }

  /** A screenshot of the whole window into test-results/; returns its path. */
  async screenshot(name: string): Promise<string> {
    const dir = e2eEnv('results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `e2e-${name.replace(/[^a-z0-9-]+/gi, '-').replace(/^-|-$/g, '').slice(0, 100)}.png`);
    await this.page.screenshot({ path: file, timeout: 10000 });
    return file;
  }

  /** Polls `cond` every 200 ms; the error names what was awaited and, when given, what was seen instead. */
  async waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string, seen?: () => Promise<string>): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await cond().catch(() => false)) return;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? ` (${await seen().catch(() => '?')})` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The shared mocha hooks of a describe block that drives one workbench: settings written before the window opens,
 * a screenshot of every failed test, the browser closed at the end.
 */
export function withWorkbench(settings: () => Record<string, unknown>): { wb: () => Workbench } {
  let wb: Workbench | undefined;
  before(async function () {
    this.timeout(150000);
    useSettings(settings());
    wb = await Workbench.open();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const file = await wb.screenshot(`failed-${this.currentTest.fullTitle()}`).catch(() => undefined);
      if (file) process.stderr.write(`[e2e] screenshot of the failure: ${file}\n`);
      // CI keeps only the console: what the extension logged and what the page complained of go there.
      process.stderr.write(`[e2e] the extension's log, last lines:\n${indent(extensionLogTail(60))}\n`);
      process.stderr.write(`[e2e] console errors of the page and its webviews:\n${indent(wb.consoleErrors.slice(-20).join('\n') || '(none)')}\n`);
    }
  });
  after(async () => {
    await wb?.close();
  });
  return {
    wb: () => {
      if (!wb) throw new Error('the workbench did not open (see the before hook)');
      return wb;
    },
  };
}

/** The last `lines` lines of the extension's LogOutputChannel file in code-server's profile (the newest session). */
export function extensionLogTail(lines: number): string {
  let root = '(E2E_USER_DATA)/logs';
  const found: { file: string; mtime: number }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name === 'Foundry Local Lab.log') found.push({ file: p, mtime: statSync(p).mtimeMs });
    }
  };
  try {
    root = join(e2eEnv('userDataDir'), 'logs');
    walk(root, 0);
    const newest = found.sort((a, b) => b.mtime - a.mtime)[0];
    if (!newest) return `(no "Foundry Local Lab.log" under ${root})`;
    return readFileSync(newest.file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(the log could not be read: ${(e as Error).message})`;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}
