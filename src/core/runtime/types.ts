import type { LabError } from './errors';
import type { Timeline, TokenSource, Usage } from './timeline';

/** Which Foundry Local generation answers (see shared FOUNDRY-LOCAL.md), or a plain OpenAI-compatible server. */
export type RuntimeKind = 'foundry-g1' | 'foundry-g2' | 'foundry-g3' | 'openai-compatible';

/** How the endpoint was found. */
export type EndpointSource = 'flag' | 'setting' | 'env' | 'foundry-server-status' | 'foundry-service-status';

export interface Endpoint {
  /** Service root without `/v1` and without a trailing slash, e.g. `http://127.0.0.1:53483`. */
  serviceUrl: string;
  /** OpenAI-compatible base, `${serviceUrl}/v1`. */
  openaiBaseUrl: string;
  source: EndpointSource;
  /** False when requests would leave this machine (e.g. Foundry Local in a Windows VM used from macOS). */
  isLoopback: boolean;
}

/** The outcome of discovery: one clear state per case. */
export type DiscoveryResult =
  | { state: 'found'; endpoint: Endpoint; runtime: RuntimeKind; emulated: boolean; loadedModels: string[] }
  | { state: 'not-installed'; detail: string }
  | { state: 'stopped'; cli: 'server' | 'service'; detail: string }
  | { state: 'unreachable'; url: string; source: EndpointSource; detail: string };

export type DeviceType = 'CPU' | 'GPU' | 'NPU' | 'unknown';

/** One model variant as the runtime describes it. */
export interface ModelVariant {
  /** The id the chat API accepts, e.g. `Phi-4-mini-instruct-generic-cpu:5`. */
  id: string;
  alias?: string;
  device: DeviceType;
  executionProvider?: string;
  fileSizeMb?: number;
  contextLength?: number;
  maxOutputTokens?: number;
  supportsReasoning?: boolean;
  cached?: boolean;
  publisher?: string;
}

/** An alias or id resolved to one variant, with everything a result must record to be reproducible. */
export interface ResolvedModel extends ModelVariant {
  /** What the user asked for (alias or id). */
  requested: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  /** Always a plain string: Foundry Local G1/G2 reject content-part arrays. */
  content: string;
}

export interface ChatRequest {
  /** The concrete model id (resolve aliases first). */
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

export interface StreamDelta {
  /** Visible answer text of this chunk (reasoning markup stripped). */
  answer: string;
  /** Reasoning text of this chunk (Harmony analysis channel, <think>, reasoning_content). */
  reasoning: string;
  /** performance.now() at arrival. */
  at: number;
}

export interface ChatResult {
  model: string;
  /** The visible answer (what the user reads; what goes into history). */
  text: string;
  /** Reasoning kept apart from the answer. */
  reasoning: string;
  finishReason?: string;
  /** From the runtime when it sent usage; else counted/estimated (see tokenSource). */
  usage?: Usage;
  tokenSource?: TokenSource;
  timeline: Timeline;
  /** Set when the request failed; text/reasoning keep what had streamed before. */
  error?: LabError;
  /** The answer came from the Foundry Local Lab emulator, not a model. */
  emulated: boolean;
  /** Number of SSE data events received. */
  chunkCount: number;
}
