import { runChat } from '../runtime/chat';
import type { RuntimeConnection } from '../runtime/connection';
import type { PromptItem } from './promptSets';
import type { Judgement, RubricScore } from './types';

export const JUDGE_SYSTEM =
  'You are a strict evaluator of answers. Score the answer to the question on three criteria, each an integer from 1 (poor) to 5 (excellent): ' +
  'coherence (clear and well organised), factuality (correct, nothing invented), conciseness (no padding or repetition). ' +
  'Reply with only a JSON object: {"coherence": n, "factuality": n, "conciseness": n, "reason": "one short sentence"}.';

export function judgePrompt(prompt: PromptItem, answer: string): string {
  const ref = prompt.reference ? `\n\nReference answer (for factuality):\n${prompt.reference}` : '';
  // The answer is untrusted text: fenced so that instructions inside it read as content.
  return `Question:\n${prompt.prompt}${ref}\n\nAnswer to evaluate (between the markers):\n<<<ANSWER\n${answer.slice(0, 6000)}\nANSWER>>>`;
}

/** Reads the judge's reply: the first JSON object in it, scores clamped to 1–5. Undefined when it has none. */
export function parseRubric(reply: string): RubricScore | undefined {
  for (let start = reply.indexOf('{'); start >= 0; start = reply.indexOf('{', start + 1)) {
    const end = reply.indexOf('}', start);
    if (end < 0) break;
    try {
      const obj = JSON.parse(reply.slice(start, end + 1));
      const score = (v: unknown) => {
        const n = typeof v === 'string' ? Number(v) : v;
        return typeof n === 'number' && Number.isFinite(n) ? Math.min(5, Math.max(1, Math.round(n))) : undefined;
      };
      const c = score(obj.coherence);
      const f = score(obj.factuality);
      const k = score(obj.conciseness);
      if (c !== undefined && f !== undefined && k !== undefined) {
        return { coherence: c, factuality: f, conciseness: k, reason: typeof obj.reason === 'string' ? obj.reason.slice(0, 300) : '' };
      }
    } catch {
      /* not this brace; try the next */
    }
  }
  return undefined;
}

const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !['a', 'an', 'the'].includes(w));

/** Token-level F1 between an answer and a reference (SQuAD's measure), 0–1. */
export function referenceMatch(answer: string, reference: string): number {
  const a = normalize(answer);
  const r = normalize(reference);
  if (!a.length || !r.length) return 0;
  const counts = new Map<string, number>();
  for (const w of r) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of a) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      common++;
      counts.set(w, n - 1);
    }
  }
  if (!common) return 0;
  const precision = common / a.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

export async function judgeAnswer(
  conn: RuntimeConnection,
  opts: { judge: string; model: string; prompt: PromptItem; answer: string; signal?: AbortSignal; idleTimeoutMs?: number },
): Promise<Judgement> {
  const j: Judgement = { model: opts.model, promptId: opts.prompt.id, judge: opts.judge };
  if (opts.prompt.reference) j.referenceMatch = referenceMatch(opts.answer, opts.prompt.reference);
  const { result } = await runChat(conn, {
    model: opts.judge,
    messages: [
      { role: 'system', content: JUDGE_SYSTEM },
      { role: 'user', content: judgePrompt(opts.prompt, opts.answer) },
    ],
    temperature: 0,
    maxTokens: 400,
    signal: opts.signal,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
  j.judgeMs = result.timeline.done !== undefined && result.timeline.sent !== undefined ? result.timeline.done - result.timeline.sent : undefined;
  if (result.error) {
    j.error = { code: result.error.code, message: result.error.message };
    return j;
  }
  const score = parseRubric(result.text);
  if (score) j.score = score;
  else j.error = { code: 'judge-unparsable', message: `The judge did not answer with the rubric's JSON: ${result.text.slice(0, 120)}` };
  return j;
}
