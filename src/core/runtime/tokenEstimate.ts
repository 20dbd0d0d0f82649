import type { ChatMessage } from './types';

/**
 * A rough token estimate for when the runtime reports no usage and has no token-count endpoint: ~4 characters per
 * token for English and code, plus a few tokens of chat-template overhead per message. Always labelled "estimated".
 */
export function estimateTokens(text: string): number {
  return text ? Math.max(1, Math.round(text.length / 4)) : 0;
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
}
