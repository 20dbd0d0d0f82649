import type { AskWebviewToHost } from '../../src/protocol';

/** What the Ask webview keeps across reloads itself (the host's snapshot carries everything else). */
export interface AskPersistedState {
  /** The question being typed. */
  draft?: string;
  /** The last prefill applied (a prefill is applied once). */
  prefillSeq?: number;
}

interface VsCodeApi {
  postMessage(message: AskWebviewToHost): void;
  getState(): AskPersistedState | undefined;
  setState(state: AskPersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page load. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
