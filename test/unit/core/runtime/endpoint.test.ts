import * as assert from 'assert';
import { isLoopbackHost, parseEndpointUrl } from '../../../../src/core/runtime/endpoint';
import { LabError } from '../../../../src/core/runtime/errors';

describe('core/runtime/endpoint', () => {
  describe('parseEndpointUrl', () => {
    for (const raw of ['http://127.0.0.1:5273', 'http://127.0.0.1:5273/', 'http://127.0.0.1:5273/v1', 'http://127.0.0.1:5273/v1/', '  http://127.0.0.1:5273/V1  ']) {
      it(`reads '${raw}' as the service root and its /v1 base`, () => {
        const e = parseEndpointUrl(raw, 'setting');
        assert.strictEqual(e.serviceUrl, 'http://127.0.0.1:5273');
        assert.strictEqual(e.openaiBaseUrl, 'http://127.0.0.1:5273/v1');
        assert.strictEqual(e.source, 'setting');
        assert.strictEqual(e.isLoopback, true);
      });
    }

    it('accepts the workshop form FOUNDRY_LOCAL_ENDPOINT=http://<host>:5273/v1/ and marks it as leaving the machine', () => {
      const e = parseEndpointUrl('http://winvm.local:5273/v1/', 'env');
      assert.deepStrictEqual(e, { serviceUrl: 'http://winvm.local:5273', openaiBaseUrl: 'http://winvm.local:5273/v1', source: 'env', isLoopback: false });
    });

    it('keeps a reverse-proxy path prefix other than /v1', () => {
      const e = parseEndpointUrl('https://gateway.example.com/foundry/v1/', 'flag');
      assert.strictEqual(e.serviceUrl, 'https://gateway.example.com/foundry');
      assert.strictEqual(e.openaiBaseUrl, 'https://gateway.example.com/foundry/v1');
      assert.strictEqual(parseEndpointUrl('https://gateway.example.com/foundry', 'flag').openaiBaseUrl, 'https://gateway.example.com/foundry/v1');
      // "v1" only counts as a whole last segment
      assert.strictEqual(parseEndpointUrl('http://h:1/apiv1', 'flag').serviceUrl, 'http://h:1/apiv1');
    });

    it('drops a query and a fragment, keeps https and the default port', () => {
      assert.strictEqual(parseEndpointUrl('https://h.example/v1?x=1#y', 'setting').serviceUrl, 'https://h.example');
      assert.strictEqual(parseEndpointUrl('http://h.example:80/', 'setting').serviceUrl, 'http://h.example');
    });

    it('takes host:port without a scheme as http', () => {
      assert.strictEqual(parseEndpointUrl('localhost:5273/v1', 'flag').serviceUrl, 'http://localhost:5273');
      assert.strictEqual(parseEndpointUrl('127.0.0.1:5272', 'flag').openaiBaseUrl, 'http://127.0.0.1:5272/v1');
    });

    it('rejects other schemes, garbage and credentials with invalid-endpoint and a usable message', () => {
      for (const raw of ['ftp://127.0.0.1:5273', 'file:///tmp/x', 'http://', 'http://exa mple:5273', 'http://user:pw@127.0.0.1:5273']) {
        assert.throws(
          () => parseEndpointUrl(raw, 'setting'),
          (e: unknown) => e instanceof LabError && e.code === 'invalid-endpoint' && e.message.length > 10 && !/\n\s+at /.test(e.message),
          raw,
        );
      }
    });

    it('reads IPv6 loopback endpoints', () => {
      const e = parseEndpointUrl('http://[::1]:5273/v1', 'flag');
      assert.strictEqual(e.serviceUrl, 'http://[::1]:5273');
      assert.strictEqual(e.isLoopback, true);
    });
  });

  describe('isLoopbackHost', () => {
    it('knows 127.0.0.0/8, ::1 and localhost', () => {
      for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'foo.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::ffff:7f00:1]']) {
        assert.strictEqual(isLoopbackHost(h), true, h);
      }
    });
    it('treats everything else as leaving the machine', () => {
      for (const h of ['10.0.0.5', '192.168.1.20', '128.0.0.1', '0.0.0.0', 'winvm.local', 'localhost.example.com', '::2', '::ffff:10.0.0.1', '1127.0.0.1']) {
        assert.strictEqual(isLoopbackHost(h), false, h);
      }
    });
    it('agrees with URL normalisation (127.1, hex forms)', () => {
      assert.strictEqual(parseEndpointUrl('http://127.1:5273', 'flag').isLoopback, true);
      assert.strictEqual(parseEndpointUrl('http://[::ffff:127.0.0.1]:5273', 'flag').isLoopback, true);
      assert.strictEqual(parseEndpointUrl('http://0x7f000001:5273', 'flag').isLoopback, true);
    });
  });
});
