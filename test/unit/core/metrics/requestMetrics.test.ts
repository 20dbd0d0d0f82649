import * as assert from 'assert';
import { deriveMetrics, formatMetric } from '../../../../src/core/metrics/requestMetrics';

describe('core/metrics/requestMetrics', () => {
  it('derives every formula from the timeline and usage', () => {
    const m = deriveMetrics({
      timeline: { start: 0, sent: 2, headers: 50, firstChunk: 60, firstToken: 102, firstAnswerToken: 302, done: 1102, tokenChunks: [102, 112, 132, 162, 1102] },
      usage: { promptTokens: 20, completionTokens: 101, totalTokens: 121 },
    });
    assert.strictEqual(m.prepMs, 2);
    assert.strictEqual(m.ttftMs, 100);
    assert.strictEqual(m.ttfatMs, 300);
    assert.strictEqual(m.e2eMs, 1100);
    assert.strictEqual(m.decodeTps, 100); // (101 − 1) tokens over 1000 ms, TTFT excluded
    assert.strictEqual(m.tpotMs, 10);
    assert.ok(Math.abs(m.e2eTps! - (101 / 1.1)) < 1e-9); // TTFT included
    assert.strictEqual(m.gapP50Ms, 25); // gaps 10, 20, 30, 940
    assert.strictEqual(m.tokenSource, 'usage');
  });

  it('never divides prompt tokens into a rate and leaves unknowns undefined', () => {
    const m = deriveMetrics({ timeline: { start: 0, sent: 1, done: 5, tokenChunks: [] } });
    assert.strictEqual(m.ttftMs, undefined);
    assert.strictEqual(m.decodeTps, undefined);
    assert.strictEqual(m.e2eTps, undefined);
    assert.strictEqual(formatMetric('decodeTps', m.decodeTps), 'n/a');
  });

  it('has no decode rate for a single token', () => {
    const m = deriveMetrics({ timeline: { start: 0, sent: 1, firstToken: 3, done: 5, tokenChunks: [3] }, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });
    assert.strictEqual(m.decodeTps, undefined);
    assert.strictEqual(m.e2eTps, 250);
  });
});
