import type { SummarizeWebviewToHost } from '../../src/protocol';

/** What the Summarize webview keeps across reloads itself (the host's snapshot carries everything else). */
export interface SummarizePersistedState {
  diffOpen?: boolean;
  sourceOpen?: boolean;
}

interface VsCodeApi {
  postMessage(message: SummarizeWebviewToHost): void;
  getState(): SummarizePersistedState | undefined;
  setState(state: SummarizePersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page load. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
