import { webviewPage } from '../panel/panelHtml';

export interface SummarizeHtmlOptions {
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(...) of dist/summarize.js and dist/summarize.css, as strings. */
  scriptUri: string;
  styleUri: string;
}

/**
 * The Summarize view's page: the static skeleton webview-ui/summarize/main.ts fills in, under the same strict CSP
 * as the playground (one nonce'd script, no network). data-testid attributes are a contract with the in-editor tests.
 */
export function buildSummarizeHtml(o: SummarizeHtmlOptions): string {
  return webviewPage(o, 'Foundry Local Lab: Summarize', `<header class="runtime">
  <span data-testid="emulator-badge" class="badge emulator" title="Answers come from the Foundry Local Lab test emulator, not from a model" hidden>EMULATOR</span>
  <span data-testid="runtime-state" class="runtime-state">Checking…</span>
  <span data-testid="summary-models" class="summary-models"></span>
</header>
<p data-testid="summary-empty" class="empty intro">Select text in an editor (or nothing, for the whole file) and run <strong>Summarize</strong> from the editor's context menu or the Command Palette. The small model drafts; the large model refines only when the escalation policy says so.</p>
<main data-testid="summary" class="summary" hidden>
  <p data-testid="summary-source" class="summary-source"></p>
  <details data-testid="summary-source-preview" class="source-preview"><summary>Source</summary><pre></pre></details>
  <div class="controls">
    <span class="phase-line" aria-live="polite"><span data-testid="summary-phase" class="phase" data-phase="idle">idle</span> <span data-testid="summary-phase-detail" class="phase-detail"></span></span>
    <button type="button" class="secondary" data-testid="summary-stop" disabled>Stop</button>
  </div>
  <div data-testid="summary-error" class="error" role="alert" hidden><p class="error-message"></p><div class="error-actions"></div></div>
  <div class="columns">
    <section class="column" aria-label="Draft">
      <h2 data-testid="summary-draft-title">Draft</h2>
      <div data-testid="summary-draft" class="answer markdown"></div>
    </section>
    <section class="column" aria-label="Final">
      <h2 data-testid="summary-final-title">Final</h2>
      <div data-testid="summary-refine-error" class="error" role="alert" hidden><p class="error-message"></p><div class="error-actions"></div></div>
      <div data-testid="summary-final" class="answer markdown"></div>
    </section>
  </div>
  <div class="controls actions" data-testid="summary-actions">
    <button type="button" data-apply="insertBelow" data-testid="summary-insert-below" title="Insert the final summary below the summarized text">Insert below</button>
    <button type="button" class="secondary" data-apply="replace" data-testid="summary-replace" title="Replace the summarized text with the final summary">Replace</button>
    <button type="button" class="secondary" data-apply="copy" data-testid="summary-copy">Copy</button>
    <button type="button" class="secondary" data-apply="newDocument" data-testid="summary-new-document">Open as new document</button>
  </div>
  <details data-testid="summary-diff" class="diff" hidden><summary>What the refinement changed</summary><div class="diff-text"></div></details>
  <div class="layout">
    <section aria-label="Escalation">
      <h2>Escalation</h2>
      <div data-testid="summary-decision" class="decision"></div>
      <h2>Stages</h2>
      <div class="legend"><span class="swatch prep"></span>prep <span class="swatch ttft"></span>time to first token <span class="swatch generation"></span>generation <span class="hint">— one scale for all stages; model loads shown apart</span></div>
      <div data-testid="summary-stages" class="stages"></div>
      <p data-testid="summary-totals" class="totals"></p>
    </section>
    <section aria-label="Saving">
      <h2>Against the large model alone</h2>
      <p class="hint">Runs the same input through the refine model only (the "always-LLM" design), so the saving is measured, not claimed.</p>
      <button type="button" class="secondary" data-testid="summary-baseline">Compare with the large model alone</button>
      <div data-testid="summary-baseline-result" class="baseline"></div>
      <h2>This workspace</h2>
      <table data-testid="summary-stats" class="metrics"><tbody></tbody></table>
      <p data-testid="summary-stats-empty" class="empty">No finished summaries yet.</p>
      <button type="button" class="secondary small" data-testid="summary-reset-stats">Reset figures</button>
    </section>
  </div>
</main>
<p data-testid="summary-notice" class="notice" role="status" hidden></p>
`);
}
