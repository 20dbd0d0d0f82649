import * as assert from 'assert';
import { formatMs, latencySegments, totalMs } from '../../../webview-ui/latency';

describe('webview/latency', () => {
  it('splits a finished request into prep, time to first token and generation', () => {
    const s = latencySegments({ prepMs: 2, ttftMs: 300, e2eMs: 1300 });
    assert.deepStrictEqual(s.map((x) => [x.key, x.ms]), [['prep', 2], ['ttft', 300], ['generation', 1000]]);
    assert.strictEqual(totalMs(s), 1302);
  });

  it('leaves out what was never reached', () => {
    assert.deepStrictEqual(latencySegments({}), []);
    assert.deepStrictEqual(latencySegments({ prepMs: 1, e2eMs: 50 }).map((x) => x.label), ['prep', 'waited (no token)']);
  });

  it('formats milliseconds for reading', () => {
    assert.strictEqual(formatMs(0.25), '0.25 ms');
    assert.strictEqual(formatMs(850.4), '850 ms');
    assert.strictEqual(formatMs(1830), '1.83 s');
    assert.strictEqual(formatMs(125_000), '125.0 s');
  });
});
