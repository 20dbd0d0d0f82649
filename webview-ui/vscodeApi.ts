import type { WebviewToHost } from '../src/protocol';

/** What the webview keeps across reloads itself (the host's snapshot carries everything else). */
export interface PersistedState {
  model?: string;
  prompt?: string;
  context?: string;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page load. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
