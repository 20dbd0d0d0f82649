import { PanelHtmlOptions, webviewPage } from '../panel/panelHtml';

/**
 * The Ask view's page: the static skeleton webview-ui/ask/main.ts fills in, under the panels' strict CSP (one nonce'd
 * script, no network). data-testid attributes are a contract with the in-editor tests.
 */
export function buildAskHtml(o: PanelHtmlOptions): string {
  return webviewPage(o, 'Ask the Workspace', `<header class="runtime">
  <span data-testid="emulator-badge" class="badge emulator" title="Answers come from the Foundry Local Lab test emulator, not from a model" hidden>EMULATOR</span>
  <span data-testid="runtime-state" class="runtime-state">Checking…</span>
  <span data-testid="ask-models" class="ask-models"></span>
</header>
<p data-testid="ask-empty" class="empty intro">Ask a question about the files of this workspace. The answer comes from the small model, grounded in the best-matching chunks of the workspace index; each <strong>[n]</strong> opens the lines it cites. A weak answer goes to the large model.</p>
<main data-testid="ask-turns" class="turns" aria-live="polite"></main>
<form data-testid="ask-form" class="composer">
  <div class="composer-row">
    <label for="ask-scope" class="visually-hidden">Scope</label>
    <select id="ask-scope" data-testid="ask-scope" title="Where the sources come from">
      <option value="workspace">Whole workspace</option>
      <option value="openFiles">Open files</option>
      <option value="folder">A folder…</option>
    </select>
    <button type="button" class="secondary small" data-testid="ask-clear" title="Clear this workspace's questions and answers">Clear</button>
  </div>
  <label for="ask-question" class="visually-hidden">Question</label>
  <textarea id="ask-question" data-testid="ask-question" rows="3" disabled data-until-wired placeholder="Ask about this workspace — Enter sends, Shift+Enter adds a line"></textarea>
  <div class="controls">
    <button type="submit" data-testid="ask-send" disabled data-until-wired>Ask</button>
    <button type="button" class="secondary" data-testid="ask-stop" disabled>Stop</button>
    <span class="phase-line"><span data-testid="ask-phase" class="phase" data-phase="idle"></span></span>
  </div>
</form>
<p data-testid="ask-notice" class="notice" role="status" hidden></p>
`);
}
