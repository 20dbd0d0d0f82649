import * as assert from 'assert';
import { MAX_DIFF_CELLS, wordDiff } from '../../../../src/vscode/summarize/wordDiff';

const join = (parts: { kind: string; text: string }[], kinds: string[]) => parts.filter((p) => kinds.includes(p.kind)).map((p) => p.text).join('');

describe('vscode/summarize/wordDiff', () => {
  it('marks the words the refinement removed and added, keeping the rest', () => {
    const parts = wordDiff('Revenue grew 8% while costs were flat.', 'Revenue rose 8% while costs stayed flat.');
    assert.deepStrictEqual(parts, [
      { kind: 'same', text: 'Revenue ' },
      { kind: 'removed', text: 'grew ' },
      { kind: 'added', text: 'rose ' },
      { kind: 'same', text: '8% while costs ' },
      { kind: 'removed', text: 'were ' },
      { kind: 'added', text: 'stayed ' },
      { kind: 'same', text: 'flat.' },
    ]);
  });

  it('rebuilds both texts exactly: before from same + removed, after from same + added', () => {
    const before = 'The team shipped the onboarding flow.\n\nRisks: hiring is slow, and the budget is tight.';
    const after = 'The team shipped the new onboarding flow.\n\nRisks: hiring is slow; the budget is tight.\nNext: Q3 plan.';
    const parts = wordDiff(before, after);
    assert.strictEqual(join(parts, ['same', 'added']), after);
    // Unchanged words keep the final's whitespace, so the draft is rebuilt word for word.
    assert.deepStrictEqual(join(parts, ['same', 'removed']).trim().split(/\s+/), before.split(/\s+/));
  });

  it('handles identical, empty and completely different texts', () => {
    assert.deepStrictEqual(wordDiff('same words', 'same words'), [{ kind: 'same', text: 'same words' }]);
    assert.deepStrictEqual(wordDiff('', 'new'), [{ kind: 'added', text: 'new' }]);
    assert.deepStrictEqual(wordDiff('old', ''), [{ kind: 'removed', text: 'old' }]);
    assert.deepStrictEqual(wordDiff('alpha bravo', 'charlie delta'), [{ kind: 'removed', text: 'alpha bravo' }, { kind: 'added', text: 'charlie delta' }]);
  });

  it('does not build a huge table: very long texts that differ throughout are shown as rewritten', () => {
    const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 10;
    const a = Array.from({ length: n }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: n }, (_, i) => `b${i}`).join(' ');
    const parts = wordDiff(`start ${a} end`, `start ${b} end`);
    assert.deepStrictEqual(parts.map((p) => p.kind), ['same', 'removed', 'added', 'same']);
  });
});
