import { createHash } from 'crypto';
import type { EmulatedModel } from './profile';

/**
 * Deterministic token streams: the same model and messages always give the same tokens. The vocabulary is the NATO
 * alphabet so that nobody can mistake the emulator's text for a model's answer; every answer starts "[emulated]".
 */
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

export interface TokenEvent {
  /** Text of this SSE event's `delta.content` (may hold reasoning markup). */
  content: string;
  /** Text for a separate `reasoning_content` field (the "field" reasoning format). */
  reasoningField?: string;
  kind: 'answer' | 'reasoning' | 'markup';
}

export function seedOf(modelId: string, messages: unknown): number {
  return createHash('sha256').update(modelId).update('\0').update(JSON.stringify(messages)).digest().readUInt32LE(0);
}

/** mulberry32: a small, well-mixed PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(next: () => number, n: number, first?: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = WORDS[Math.floor(next() * WORDS.length)];
    if (i === 0 && first) w = first;
    const r = next();
    const sep = i === 0 ? '' : i === 1 ? ' ' : r < 0.08 ? '.\n\n' : r < 0.2 ? '. ' : r < 0.28 ? ', ' : ' ';
    out.push(sep + w);
  }
  return out;
}

/** A forced reply (the `reply` fault) as tokens: each word with the whitespace before it. */
function splitReply(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/**
 * Grounded requests (Ask the workspace): a system message asking to answer only from the provided context and a user
 * message with numbered sources (`[n] path:start-end` lines). Returns how many sources there are, else undefined.
 */
export function groundedSources(messages: unknown): number | undefined {
  if (!Array.isArray(messages)) return undefined;
  const system = messages.find((m) => m?.role === 'system' && typeof m.content === 'string' && /only the provided context/i.test(m.content));
  const user = [...messages].reverse().find((m) => m?.role === 'user' && typeof m.content === 'string');
  if (!system || !user) return undefined;
  const numbers = [...(user.content as string).matchAll(/^\[(\d+)\] \S.*:\d+-\d+$/gm)].map((x) => Number(x[1]));
  return numbers.length ? Math.max(...numbers) : undefined;
}

/**
 * Judge requests (Compare's rubric): a system message asking for the rubric's JSON and the answer between
 * `<<<ANSWER` / `ANSWER>>>` markers. The emulator scores by a fixed, visible rule — conciseness from the answer's
 * length, factuality from its word overlap with the reference (3 without one), coherence from the seed — so the
 * judge path is testable end to end; the reason says it is the emulator's rule, not a model's opinion.
 */
export function judgeReply(messages: unknown, next: () => number): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  const system = messages.find((m) => m?.role === 'system' && typeof m.content === 'string' && /Reply with only a JSON object: \{"coherence"/.test(m.content));
  const user = [...messages].reverse().find((m) => m?.role === 'user' && typeof m.content === 'string');
  if (!system || !user) return undefined;
  const text = user.content as string;
  const answer = /<<<ANSWER\n([\s\S]*?)\nANSWER>>>/.exec(text)?.[1] ?? '';
  const reference = /Reference answer \(for factuality\):\n([\s\S]*?)\n\nAnswer to evaluate/.exec(text)?.[1];
  const wordsOf = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const n = wordsOf(answer).length;
  const conciseness = n <= 40 ? 5 : n <= 80 ? 4 : n <= 120 ? 3 : n <= 200 ? 2 : 1;
  let factuality = 3;
  if (reference !== undefined) {
    const ref = new Set(wordsOf(reference));
    const a = wordsOf(answer);
    const common = a.filter((w) => ref.has(w)).length;
    const f1 = common && a.length && ref.size ? (2 * (common / a.length) * (common / ref.size)) / (common / a.length + common / ref.size) : 0;
    factuality = 1 + Math.round(4 * Math.min(1, f1));
  }
  const coherence = 2 + Math.floor(next() * 3);
  return JSON.stringify({ coherence, factuality, conciseness, reason: '[emulated] the emulator\'s fixed rule: length, overlap with the reference, seed' });
}

/** Cites sources as a grounded model would: `[n]` before sentence ends, always at least one citation. */
function cite(tokens: string[], sources: number, next: () => number): string[] {
  const out: string[] = [];
  let cited = false;
  for (const t of tokens) {
    if (/^[.,]/.test(t) && out.length > 2 && next() < 0.5) {
      out.push(` [${1 + Math.floor(next() * Math.min(sources, 3))}]`);
      cited = true;
    }
    out.push(t);
  }
  if (!cited) out.push(' [1]');
  return out;
}

/**
 * The whole event sequence for a request, before the max_tokens cut. Reasoning models think first: Harmony markup
 * (gpt-oss) with markers split across events, `<think>` blocks (qwen3), or a separate reasoning field.
 */
export function tokenEvents(model: EmulatedModel, messages: unknown, opts: { dropThink?: boolean; replyText?: string } = {}): TokenEvent[] {
  const next = rng(seedOf(model.id, messages));
  const answerLen = 40 + Math.floor(next() * 121);
  const sources = groundedSources(messages);
  const rubric = opts.replyText === undefined ? judgeReply(messages, next) : undefined;
  const answerWords =
    opts.replyText !== undefined
      ? splitReply(opts.replyText)
      : rubric !== undefined
        ? splitReply(rubric)
        : sources
          ? cite(words(next, answerLen, '[emulated]'), sources, next)
          : words(next, answerLen, '[emulated]');
  const answer = answerWords.map((content): TokenEvent => ({ content, kind: 'answer' }));
  const format = model.reasoning ?? 'none';
  if (format === 'none') return answer;
  const reasoning = words(next, 15 + Math.floor(next() * 26), '(emulated thinking)').map((content): TokenEvent => ({ content, kind: 'reasoning' }));
  const markup = (content: string): TokenEvent => ({ content, kind: 'markup' });
  switch (format) {
    case 'harmony':
      return [
        markup('<|channel|>'),
        markup('analysis<|mess'),
        markup('age|>'),
        ...reasoning,
        markup('<|end|><|start|>assistant'),
        markup('<|channel|>final<|message|>'),
        ...answer,
        markup('<|return|>'),
      ];
    case 'think':
      if (opts.dropThink) {
        // Foundry Local's open-source service (G3) strips reasoning from chat completions; it still takes time.
        return [...reasoning.map((r) => ({ ...r, content: '' })), ...answer];
      }
      return [markup('<think>'), markup('\n'), ...reasoning, markup('\n</th'), markup('ink>\n\n'), ...answer];
    case 'field':
      return [...reasoning.map((r): TokenEvent => ({ content: '', reasoningField: r.content, kind: 'reasoning' })), ...answer];
  }
}

/**
 * The emulator's prompt tokenizer: words and single punctuation marks of every message's content, plus 4 tokens of
 * chat-template overhead per message and 2 for the assistant prefix. Deterministic, and close enough to real ones.
 */
export function countPromptTokens(messages: { content?: unknown }[]): number {
  let n = 2;
  for (const m of messages) n += 4 + (typeof m.content === 'string' ? (m.content.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0) : 0);
  return n;
}

/**
 * The emulator's embeddings: hashed bag of words (identifiers split at camelCase and underscores), 64 dimensions,
 * unit length. Texts sharing words are close, so fusion with the lexical ranking can be tested; not a model's vectors.
 */
export function embedText(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0);
  const words = text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    const h = createHash('sha256').update(w).digest();
    v[h[0] % dims] += h[1] & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}
