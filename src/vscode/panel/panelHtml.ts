import { randomBytes } from 'crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(...) of dist/webview.js and dist/webview.css, as strings. */
  scriptUri: string;
  styleUri: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The panel's Content-Security-Policy: local styles and fonts, one nonce'd script, no network at all. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "connect-src 'none'",
  ].join('; ');
}

/**
 * A webview page under the panel CSP: the document shell every view shares (one stylesheet, one nonce'd script);
 * `body` is the view's static skeleton.
 */
export function webviewPage(o: PanelHtmlOptions, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${panelCsp(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${o.styleUri}">
<title>${title}</title>
</head>
<body>
${body}<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}

/**
 * The panel's page: the static skeleton the script (webview-ui/main.ts) fills in. The data-testid attributes are a
 * contract with the in-editor tests; the script finds its elements by them too.
 */
export function buildPanelHtml(o: PanelHtmlOptions): string {
  return webviewPage(o, 'Foundry Local Lab', `<header class="runtime">
  <span data-testid="emulator-badge" class="badge emulator" title="Answers come from the Foundry Local Lab test emulator, not from a model" hidden>EMULATOR</span>
  <span data-testid="runtime-state" class="runtime-state">Checking…</span>
  <span class="runtime-actions" data-testid="runtime-actions"></span>
  <button type="button" class="secondary small" data-testid="refresh">Refresh</button>
</header>
<p data-testid="remote-notice" class="notice" hidden></p>
<main class="layout">
  <section class="request" aria-label="Request">
    <label for="model">Model</label>
    <select id="model" data-testid="model-select"></select>
    <label for="prompt">Prompt</label>
    <textarea id="prompt" data-testid="prompt" rows="4" disabled data-until-wired placeholder="Summarize retrieval augmented generation in 2 sentences."></textarea>
    <label for="context">Reference context <span class="hint">optional — sent inline with the question</span></label>
    <textarea id="context" data-testid="context" rows="4" disabled data-until-wired placeholder="Paste reference documents here; the model is asked to use them."></textarea>
    <div class="controls">
      <button type="button" data-testid="run" title="Run (Ctrl+Enter)" disabled data-until-wired>Run</button>
      <button type="button" class="secondary" data-testid="stop" disabled>Stop</button>
      <span class="phase-line" aria-live="polite"><span data-testid="phase" class="phase" data-phase="idle">idle</span> <span data-testid="phase-detail" class="phase-detail"></span></span>
    </div>
    <div data-testid="error" class="error" role="alert" hidden>
      <p class="error-message"></p>
      <div class="error-actions"></div>
    </div>
    <p data-testid="model-info" class="model-info"></p>
    <details data-testid="reasoning" class="reasoning" hidden>
      <summary>Reasoning</summary>
      <pre class="reasoning-text"></pre>
    </details>
    <div data-testid="answer" class="answer markdown" aria-live="polite"></div>
  </section>
  <section class="measurements" aria-label="Timeline">
    <h2>Timeline</h2>
    <div data-testid="latency-bar" class="latency-bar" aria-label="Latency breakdown"></div>
    <div class="legend"><span class="swatch prep"></span>prep <span class="swatch ttft"></span>time to first token <span class="swatch generation"></span>generation</div>
    <table data-testid="metrics" class="metrics"><tbody></tbody></table>
    <h2>Runs</h2>
    <div data-testid="history" class="history"><p class="empty">No runs yet.</p></div>
  </section>
</main>
`);
}
