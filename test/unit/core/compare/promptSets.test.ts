import * as assert from 'assert';
import { BUILTIN_PROMPT_SETS, parsePromptJsonl } from '../../../../src/core/compare/promptSets';

describe('core/compare/promptSets', () => {
  it('has the workshop probes and a deterministic QA set at temperature 0 with references', () => {
    const probes = BUILTIN_PROMPT_SETS.find((s) => s.id === 'workshop-probes')!;
    assert.deepStrictEqual(probes.prompts.map((p) => p.prompt), ['Summarize retrieval augmented generation in 2 sentences.', 'List 5 creative IoT edge AI ideas.']);
    const qa = BUILTIN_PROMPT_SETS.find((s) => s.id === 'deterministic-qa')!;
    assert.strictEqual(qa.temperature, 0);
    assert.ok(qa.prompts.length >= 5 && qa.prompts.every((p) => p.reference));
  });

  it('keeps the good lines of a JSONL file and reports the bad ones with line numbers', () => {
    const text = ['{"prompt": "one", "reference": "1"}', '', 'not json', '{"prompt": ""}', '[1,2]', '{"prompt": "two", "id": "b"}', '{"prompt": "three", "id": "b"}', '{"prompt": "x", "reference": 5}'].join('\n');
    const { set, issues } = parsePromptJsonl(text, 'p.jsonl');
    assert.deepStrictEqual(set.prompts.map((p) => [p.id, p.prompt, p.reference]), [
      ['line-1', 'one', '1'],
      ['b', 'two', undefined],
      ['b-line-7', 'three', undefined],
    ]);
    assert.deepStrictEqual(issues.map((i) => i.line), [3, 4, 5, 8]);
    assert.match(issues[0].message, /not JSON/);
  });
});
