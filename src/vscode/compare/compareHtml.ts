import { webviewPage } from '../panel/panelHtml';

export interface CompareHtmlOptions {
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(...) of dist/compare.js and dist/compare.css, as strings. */
  scriptUri: string;
  styleUri: string;
}

/**
 * The Compare view's page: the static skeleton webview-ui/compare/main.ts fills in, under the same CSP as the
 * playground (local styles, one nonce'd script, no network). The data-testid attributes are a contract with the
 * in-editor tests; the script finds its elements by them too.
 */
export function buildCompareHtml(o: CompareHtmlOptions): string {
  return webviewPage(o, 'Foundry Local Lab: Compare', `<header class="runtime">
  <span data-testid="emulator-badge" class="badge emulator" title="Answers come from the Foundry Local Lab test emulator, not from a model" hidden>EMULATOR</span>
  <span data-testid="runtime-state" class="runtime-state">Checking…</span>
  <span class="runtime-actions" data-testid="runtime-actions"></span>
  <button type="button" class="secondary small" data-testid="refresh">Refresh</button>
</header>
<p data-testid="remote-notice" class="notice" hidden></p>
<main class="compare">
  <section class="compare-form" data-testid="compare-form" aria-label="Comparison">
    <div class="form-block">
      <h2>Models <span class="hint" data-testid="model-count"></span></h2>
      <p class="hint">An alias runs the variant the runtime prefers; a variant id pins the device (CPU vs GPU).</p>
      <div data-testid="model-choices" class="model-choices"></div>
    </div>
    <div class="form-block">
      <h2>Prompts</h2>
      <select data-testid="prompt-source" aria-label="Prompt set"></select>
      <p data-testid="prompt-source-detail" class="hint"></p>
      <div data-testid="prompt-file-box" class="prompt-file" hidden>
        <button type="button" class="secondary small" data-testid="pick-prompt-file">Choose JSONL file…</button>
        <span data-testid="prompt-file"></span>
        <ul data-testid="prompt-file-issues" class="issues"></ul>
      </div>
      <textarea data-testid="prompt-text" rows="4" placeholder="A prompt to send to every model" hidden></textarea>
    </div>
    <div class="form-block">
      <h2>Settings</h2>
      <div class="settings-grid">
        <label for="runs">Runs per prompt</label><input id="runs" data-testid="runs" type="number" min="1" max="50" step="1" value="3">
        <label for="temperature">Temperature</label><input id="temperature" data-testid="temperature" type="number" min="0" max="2" step="0.1" value="0.5">
        <label for="max-tokens">Max tokens</label><input id="max-tokens" data-testid="max-tokens" type="number" min="1" max="32768" step="1" value="300">
        <label for="cold">Cold start</label><span><input id="cold" data-testid="cold" type="checkbox"> <span class="hint">unload each model, time its load, then a first request</span></span>
        <label for="judge">Judge model</label><select id="judge" data-testid="judge"></select>
      </div>
    </div>
    <div class="controls">
      <button type="button" data-testid="compare-run">Run comparison</button>
      <button type="button" class="secondary" data-testid="compare-cancel" disabled>Cancel</button>
    </div>
    <div data-testid="compare-error" class="error" role="alert" hidden>
      <p class="error-message"></p>
      <div class="error-actions"></div>
    </div>
    <p data-testid="notice" class="notice" hidden></p>
  </section>
  <section class="compare-progress" data-testid="progress-box" aria-label="Progress" hidden>
    <div class="progress-line" aria-live="polite">
      <progress data-testid="progress-bar" max="1" value="0"></progress>
      <span data-testid="progress" class="progress-count"></span>
      <span data-testid="progress-step" class="hint"></span>
    </div>
    <details data-testid="streaming" class="streaming">
      <summary data-testid="streaming-label">Waiting for the first request…</summary>
      <pre class="streaming-text"></pre>
    </details>
    <table data-testid="live-rows" class="data-table live-rows">
      <thead><tr><th>#</th><th>Model</th><th>Prompt</th><th>Run</th><th>TTFT</th><th>Decode</th><th>E2E</th><th>Tokens</th><th>Error</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="results" data-testid="results" aria-label="Results" hidden></section>
  <section class="saved" aria-label="Saved runs">
    <h2>Saved runs</h2>
    <div class="controls">
      <button type="button" class="secondary small" data-testid="import">Import JSON…</button>
      <button type="button" class="secondary small" data-testid="diff-selected" disabled>Diff the two selected</button>
    </div>
    <div data-testid="saved-runs" class="saved-runs"><p class="empty">No saved runs yet.</p></div>
    <div data-testid="diff" class="diff" hidden></div>
  </section>
</main>
`);
}
