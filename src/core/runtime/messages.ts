import type { ChatMessage } from './types';

/**
 * The playground's messages, shared by the panel and `foundry-lab chat` so both send the same thing: an optional
 * system message, and the reference context embedded inline before the question (the workshop's browser-page deliverable).
 */
export function buildPlaygroundMessages(prompt: string, opts: { system?: string; context?: string } = {}): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (opts.system?.trim()) messages.push({ role: 'system', content: opts.system });
  const context = opts.context?.trim();
  messages.push({ role: 'user', content: context ? `Reference context:\n${context}\n\nQuestion: ${prompt}` : prompt });
  return messages;
}
