import * as assert from 'assert';
import { ReasoningSplitter } from '../../../../src/core/runtime/reasoning';

function splitAll(pieces: string[]): { answer: string; reasoning: string } {
  const s = new ReasoningSplitter();
  const out = { answer: '', reasoning: '' };
  for (const p of [...pieces.map((x) => s.push(x)), s.finish()]) {
    out.answer += p.answer;
    out.reasoning += p.reasoning;
  }
  return out;
}

/** Every way of cutting `text` into two or three pieces gives the same split. */
function assertStreamSafe(text: string, expected: { answer: string; reasoning: string }): void {
  assert.deepStrictEqual(splitAll([text]), expected);
  for (let i = 1; i < text.length; i++) {
    assert.deepStrictEqual(splitAll([text.slice(0, i), text.slice(i)]), expected, `cut at ${i}`);
    const j = Math.min(text.length - 1, i + 3);
    if (j > i) assert.deepStrictEqual(splitAll([text.slice(0, i), text.slice(i, j), text.slice(j)]), expected, `cuts at ${i},${j}`);
  }
}

describe('core/runtime/reasoning', () => {
  it('passes plain answers through', () => {
    assertStreamSafe('Hello <b>world</b> a < b', { answer: 'Hello <b>world</b> a < b', reasoning: '' });
  });

  it('splits gpt-oss Harmony markup, whatever the chunking', () => {
    const text =
      '<|channel|>analysis<|message|>We need to respond politely.<|end|><|start|>assistant<|channel|>final<|message|>Hi there! How can I help?<|return|>';
    assertStreamSafe(text, { answer: 'Hi there! How can I help?', reasoning: 'We need to respond politely.' });
  });

  it('keeps a Harmony answer that was cut inside the analysis channel as reasoning only', () => {
    assert.deepStrictEqual(splitAll(['<|channel|>analysis<|message|>The user wants a rewrite']), { answer: '', reasoning: 'The user wants a rewrite' });
  });

  it('treats the commentary channel (tool preambles) as reasoning', () => {
    const text = '<|channel|>commentary to=functions.get<|constrain|>json<|message|>{"x":1}<|call|>';
    assert.deepStrictEqual(splitAll([text]), { answer: '', reasoning: '{"x":1}' });
  });

  it('splits qwen3 <think> blocks and drops the whitespace after them', () => {
    assertStreamSafe('<think>\nLet me think.\n</think>\n\nThe answer is 4.', { answer: 'The answer is 4.', reasoning: '\nLet me think.\n' });
  });

  it('gives back a held marker prefix at the end of the stream', () => {
    assert.deepStrictEqual(splitAll(['x <|chan']), { answer: 'x <|chan', reasoning: '' });
  });
});
