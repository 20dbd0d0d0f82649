import * as assert from 'assert';
import { expandGroup, splitCitations } from '../../../webview-ui/ask/citations';

describe('webview/ask citations', () => {
  const known = (n: number) => n >= 1 && n <= 4;

  it('splits a text into plain runs and the [n] groups that cite known sources', () => {
    assert.deepStrictEqual(splitCitations('Tokens are checked in auth [1]. Sessions expire [2][3].', known), [
      { kind: 'text', text: 'Tokens are checked in auth ' },
      { kind: 'cite', raw: '[1]', numbers: [1] },
      { kind: 'text', text: '. Sessions expire ' },
      { kind: 'cite', raw: '[2]', numbers: [2] },
      { kind: 'cite', raw: '[3]', numbers: [3] },
      { kind: 'text', text: '.' },
    ]);
  });

  it('reads lists and ranges as core does, each number once', () => {
    assert.deepStrictEqual(splitCitations('see [1, 3]', known)[1], { kind: 'cite', raw: '[1, 3]', numbers: [1, 3] });
    assert.deepStrictEqual(splitCitations('see [2-4]', known)[1], { kind: 'cite', raw: '[2-4]', numbers: [2, 3, 4] });
    assert.deepStrictEqual(splitCitations('see [1;1]', known)[1], { kind: 'cite', raw: '[1;1]', numbers: [1] });
    assert.deepStrictEqual(expandGroup('1, 2–3'), [1, 2, 3]);
    assert.deepStrictEqual(expandGroup('5-1'), []);
  });

  it('leaves alone what is no citation: unknown numbers, markdown links, words in brackets', () => {
    assert.deepStrictEqual(splitCitations('array [7] and [x] and [1](https://e.x)', known), [{ kind: 'text', text: 'array [7] and [x] and [1](https://e.x)' }]);
    assert.deepStrictEqual(splitCitations('', known), []);
    // A group with one known number keeps only that one.
    assert.deepStrictEqual(splitCitations('[4, 9]', known), [{ kind: 'cite', raw: '[4, 9]', numbers: [4] }]);
  });

  it('finds the same numbers as core\'s parser on prose', async () => {
    const { citedNumbers } = await import('../../../src/core/rag/ask');
    const text = 'A [1]. B [2, 3]. C [3-4] and [1]. D [12]. E [2](x).';
    const ours = splitCitations(text, () => true).flatMap((p) => (p.kind === 'cite' ? p.numbers : []));
    assert.deepStrictEqual(ours, citedNumbers(text));
  });
});
