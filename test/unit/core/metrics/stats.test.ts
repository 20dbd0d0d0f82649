import * as assert from 'assert';
import { percentile, summarize } from '../../../../src/core/metrics/stats';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('core/metrics/stats', () => {
  it('interpolates percentiles linearly like numpy', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // numpy.percentile(range(1, 11), [50, 90, 95, 99]) = 5.5, 9.1, 9.55, 9.91
    close(percentile(xs, 50), 5.5);
    close(percentile(xs, 90), 9.1);
    close(percentile(xs, 95), 9.55);
    close(percentile(xs, 99), 9.91);
    close(percentile(xs, 0), 1);
    close(percentile(xs, 100), 10);
  });

  it('summarizes with sample standard deviation and ignores non-finite values', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9, NaN, Infinity])!;
    assert.strictEqual(s.n, 8);
    close(s.mean, 5);
    close(s.stddev, Math.sqrt(32 / 7));
    assert.strictEqual(s.min, 2);
    assert.strictEqual(s.max, 9);
    close(s.p50, 4.5);
  });

  it('handles one value and none', () => {
    assert.deepStrictEqual(summarize([3]), { n: 1, min: 3, max: 3, mean: 3, stddev: 0, p50: 3, p90: 3, p95: 3, p99: 3 });
    assert.strictEqual(summarize([]), undefined);
  });
});
