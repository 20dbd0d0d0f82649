import * as assert from 'assert';
import { SseParser } from '../../../../src/core/runtime/sse';

describe('core/runtime/sse', () => {
  it('parses events split at arbitrary byte positions', () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: keep-alive\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < stream.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(stream.slice(0, cut)), ...p.push(stream.slice(cut)), ...p.end()];
      assert.deepStrictEqual(events.map((e) => e.data), ['{"a":1}', '{"b":2}', '[DONE]'], `cut at ${cut}`);
    }
  });

  it('joins multi-line data and keeps the event name', () => {
    const p = new SseParser();
    const events = p.push('event: error\ndata: line1\ndata: line2\n\n');
    assert.deepStrictEqual(events, [{ event: 'error', data: 'line1\nline2' }]);
  });

  it('emits a final event that lacks its blank line at end of stream', () => {
    const p = new SseParser();
    assert.deepStrictEqual(p.push('data: x'), []);
    assert.deepStrictEqual(p.end().map((e) => e.data), ['x']);
  });
});
