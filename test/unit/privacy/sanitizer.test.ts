import * as assert from 'assert';
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { panelCsp } from '../../../src/vscode/panel/panelHtml';
import { openableLink } from '../../../src/vscode/panel/links';

const root = path.join(__dirname, '..', '..', '..', '..');

export interface XssPayload {
  id: string;
  category: string;
  text: string;
}

/** The corpus, with {{CANARY}} pointing at a loopback canary server. */
export function loadPayloads(canaryUrl: string): XssPayload[] {
  const corpus = JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', 'xss', 'payloads.json'), 'utf8')) as { payloads: XssPayload[] };
  return corpus.payloads.map((p) => ({ ...p, text: p.text.split('{{CANARY}}').join(canaryUrl) }));
}

/** A loopback server that records every request: a hit means the page fetched or navigated somewhere. */
export async function startCanary(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end('canary');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const chromiumPath = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

interface Outcome {
  id: string;
  executed: boolean;
  fetched: string[];
  navigated: boolean;
  violations: string[];
  hrefs: string[];
}

/**
 * The payload corpus through the webviews' real sanitizer (webview-ui/markdown.ts: marked + DOMPurify, bundled as the
 * webviews bundle it), rendered into a real DOM in headless Chromium, with and without the webviews' CSP. The
 * sanitizer must stop every payload on its own (the CSP is the second wall). A control run inserts the same payloads
 * unsanitized, to prove that the canaries do fire when nothing stops them.
 */
describe('hostile content: the XSS corpus through the webview sanitizer (headless Chromium)', function () {
  this.timeout(120000);
  let browser: Browser | undefined;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let pageServer: Server;
  let pageUrl: string;
  let bundle: string;
  let payloads: XssPayload[];
  const counts: Record<string, { tried: number; executed: number; fetched: number; navigated: number; unsafeMarkup: number }> = {};

  before(async function () {
    if (!existsSync(chromiumPath)) {
      // Chromium comes with the in-editor tests' setup (scripts/e2e-env.mjs); without it this suite cannot run.
      this.skip();
    }
    const built = await build({
      stdin: { contents: "import { renderMarkdown } from './webview-ui/markdown'; (window as any).renderMarkdown = renderMarkdown;", resolveDir: root, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    bundle = built.outputFiles[0].text;
    canary = await startCanary();
    payloads = loadPayloads(canary.url);
    pageServer = createServer((req, res) => {
      const csp = req.url?.startsWith('/csp') ? panelCsp(`http://${req.headers.host}`, 'n0nce') : undefined;
      if (req.url?.endsWith('/bundle.js')) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html', ...(csp ? { 'content-security-policy': csp } : {}) });
      res.end(`<!doctype html><html><head><title>clean</title></head><body><div id="out"></div><script nonce="n0nce" src="${req.url?.startsWith('/csp') ? '/csp' : ''}/bundle.js"></script></body></html>`);
    });
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', () => r()));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'] });
  });

  after(async () => {
    await browser?.close();
    await canary?.close();
    await new Promise<void>((r) => (pageServer ? pageServer.close(() => r()) : r()));
    if (Object.keys(counts).length) {
      mkdirSync(path.join(root, 'test-results'), { recursive: true });
      writeFileSync(path.join(root, 'test-results', 'hostile-sanitizer.json'), JSON.stringify({ payloads: payloads.length, counts }, null, 2));
    }
  });

  async function runCorpus(mode: 'sanitized' | 'sanitized+csp' | 'control-unsanitized'): Promise<Outcome[]> {
    const page: Page = await browser!.newPage();
    const start = mode === 'sanitized+csp' ? `${pageUrl}/csp/` : `${pageUrl}/`;
    const outcomes: Outcome[] = [];
    try {
      let fresh = false;
      for (const p of payloads) {
        // Unsanitized payloads can leave anything behind: a fresh page each. Sanitized ones share one page while it stays clean.
        if (!fresh || mode === 'control-unsanitized') {
          await page.goto(start);
          await page.waitForFunction(() => typeof (window as any).renderMarkdown === 'function');
          fresh = true;
        }
        const before = canary.hits.length;
        const rendered = await page.evaluate(
          ({ text, raw }) => {
            const out = document.getElementById('out')!;
            if (raw) out.innerHTML = text;
            else out.replaceChildren((window as any).renderMarkdown(text));
            const violations: string[] = [];
            const hrefs: string[] = [];
            const forbiddenTags = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'style', 'link', 'meta', 'base', 'form', 'img', 'video', 'audio', 'source', 'svg', 'math', 'input', 'button', 'use', 'animate']);
            const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data', 'srcset', 'poster', 'background', 'style', 'http-equiv']);
            // <template> is inert (never rendered, its scripts never run), but what it holds is checked too.
            const all = (node: ParentNode): Element[] =>
              Array.from(node.querySelectorAll('*')).flatMap((el) => (el instanceof HTMLTemplateElement ? [el, ...all(el.content)] : [el]));
            for (const el of all(out)) {
              const tag = el.tagName.toLowerCase();
              if (forbiddenTags.has(tag)) violations.push(`tag <${tag}>`);
              for (const a of Array.from(el.attributes)) {
                const n = a.name.toLowerCase();
                if (n.startsWith('on')) violations.push(`handler ${n}`);
                if (urlAttrs.has(n)) violations.push(`${n}="${a.value.slice(0, 80)}"`);
                if (n === 'data-href') hrefs.push(a.value);
              }
            }
            // A person hovering, focusing and clicking everything that was rendered.
            for (const el of Array.from(out.querySelectorAll('*'))) {
              for (const type of ['mouseover', 'focus', 'click']) el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true }));
              (el as HTMLElement).click?.();
            }
            return { violations, hrefs };
          },
          { text: p.text, raw: mode === 'control-unsanitized' },
        ).catch((e: Error) => ({ violations: [`evaluate failed: ${e.message.split('\n')[0]}`], hrefs: [] as string[] }));
        await page.waitForTimeout(mode === 'control-unsanitized' ? 120 : 60);
        let executed = false;
        let navigated = false;
        try {
          navigated = !page.url().startsWith(start);
          executed = await page.evaluate(() => (window as any).__xss === 1 || document.title === 'PWNED');
        } catch {
          navigated = true; // the page went away under the check
        }
        if (executed || navigated) fresh = false;
        outcomes.push({ id: p.id, executed, navigated, fetched: canary.hits.slice(before), violations: rendered.violations, hrefs: rendered.hrefs });
      }
    } finally {
      await page.close();
    }
    counts[mode] = {
      tried: outcomes.length,
      executed: outcomes.filter((o) => o.executed).length,
      fetched: outcomes.filter((o) => o.fetched.length).length,
      navigated: outcomes.filter((o) => o.navigated).length,
      unsafeMarkup: outcomes.filter((o) => o.violations.length).length,
    };
    return outcomes;
  }

  it('the corpus has at least 25 payloads across every category the issue names', () => {
    assert.ok(payloads.length >= 25, `${payloads.length}`);
    const categories = new Set(payloads.map((p) => p.category));
    for (const c of ['script', 'handler', 'url', 'fetch', 'command', 'svg', 'frame', 'style', 'form', 'entity']) assert.ok(categories.has(c), c);
  });

  it('control: the same payloads inserted unsanitized do run script and fetch (the canaries work)', async () => {
    const outcomes = await runCorpus('control-unsanitized');
    const executed = outcomes.filter((o) => o.executed).map((o) => o.id);
    const fetched = outcomes.filter((o) => o.fetched.length).map((o) => o.id);
    assert.ok(executed.length >= 8, `only ${executed.length} executed unsanitized: ${executed.join(', ')}`);
    assert.ok(fetched.length >= 5, `only ${fetched.length} fetched unsanitized: ${fetched.join(', ')}`);
  });

  for (const mode of ['sanitized', 'sanitized+csp'] as const) {
    it(`${mode}: no payload runs script, fetches, navigates or leaves unsafe markup; links are inert and the host would open none but http(s)`, async () => {
      const outcomes = await runCorpus(mode);
      const failures = outcomes.filter((o) => o.executed || o.navigated || o.fetched.length || o.violations.length);
      assert.deepStrictEqual(
        failures.map((f) => ({ id: f.id, executed: f.executed, navigated: f.navigated, fetched: f.fetched, violations: f.violations })),
        [],
      );
      const opened = outcomes.flatMap((o) => o.hrefs.filter((h) => openableLink(h)).map((h) => `${o.id}: ${h}`));
      // Only http(s) links may be opened by the host (after a click, outside the webview): never javascript:, data:, command:, vscode:, file:.
      for (const line of opened) assert.match(line, /: https?:\/\//i, line);
      const rejected = outcomes.flatMap((o) => o.hrefs.filter((h) => !openableLink(h)));
      for (const h of rejected) assert.match(h.trim(), /^(?!https?:)|@/i, `a plain http(s) link was refused: ${h}`);
      // command:, vscode: and file: links survive only as inert text in data-href, and the host refuses them.
      const schemes = rejected.map((h) => h.trim().split(':')[0].toLowerCase());
      assert.ok(schemes.every((s) => s !== 'http' && s !== 'https'), schemes.join(','));
    });
  }
});
