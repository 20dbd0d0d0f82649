/**
 * The timeline of one streamed request: monotonic timestamps (performance.now(), milliseconds) recorded by
 * streamChat, the one streaming primitive. Every metric is derived from it (src/core/metrics); nothing is re-timed.
 */
export interface Timeline {
  /** Before the messages were built. */
  start: number;
  /** The request was handed to the HTTP stack. */
  sent?: number;
  /** Response headers arrived. */
  headers?: number;
  /** The first SSE data event arrived (may carry only a role). */
  firstChunk?: number;
  /** The first non-empty delta, reasoning or answer. */
  firstToken?: number;
  /** The first non-empty answer delta (reasoning models think first). */
  firstAnswerToken?: number;
  /** The stream ended ([DONE], end of body, or error). */
  done?: number;
  /** Arrival time of every SSE data event that carried a non-empty delta, in order. */
  tokenChunks: number[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  reasoningTokens?: number;
}

/** Where token counts came from: the runtime's usage, the runtime's token-count endpoint, or our estimate. */
export type TokenSource = 'usage' | 'counted' | 'estimated';
