import type { CompareExportFormat, CompareWebviewToHost } from '../../src/protocol';

/** What the Compare webview keeps across reloads itself: the form as the user left it. */
export interface CompareFormState {
  models?: string[];
  /** 'builtin:<id>', 'file' or 'text'. */
  source?: string;
  text?: string;
  runs?: number;
  temperature?: number;
  maxTokens?: number;
  cold?: boolean;
  judge?: string;
  /** The last editor selection applied (a newer one replaces the typed prompt). */
  prefillSeq?: number;
  exportFormat?: CompareExportFormat;
}

interface VsCodeApi {
  postMessage(message: CompareWebviewToHost): void;
  getState(): CompareFormState | undefined;
  setState(state: CompareFormState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page load. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
