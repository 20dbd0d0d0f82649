import * as assert from 'assert';
import { leadingComponent, queryTerms, splitIdentifier, tokenize } from '../../../../src/core/rag/tokenizer';

describe('rag tokenizer', () => {
  const cases: Array<[string, string[]]> = [
    ['parseEndpointUrl', ['parse', 'endpoint', 'url', 'parseendpointurl']],
    ['HTTPServerError', ['http', 'server', 'error', 'httpservererror']],
    ['max_tokens', ['max', 'token', 'maxtoken']],
    ['idle-timeout', ['idle', 'timeout', 'idletimeout']],
    ['src/core/runtime/streamChat.ts', ['src', 'core', 'runtime', 'stream', 'chat', 'streamchat', 'ts']],
    ['utf8 port 5273', ['utf', 'utf8', 'port', '5273']],
    ['The index is rebuilt when it is corrupt', ['index', 'rebuilt', 'corrupt']],
    ['Foo.bar()', ['foo', 'bar']],
    ['$scope x = y', ['scope']],
  ];
  for (const [input, expected] of cases) {
    it(`tokenizes ${JSON.stringify(input)}`, () => {
      assert.deepStrictEqual(tokenize(input), expected);
    });
  }

  it('splits identifiers with digits and acronyms', () => {
    assert.deepStrictEqual(splitIdentifier('parseHTTPResponse2'), ['parse', 'http', 'response', '2']);
    assert.deepStrictEqual(splitIdentifier('XMLHttpRequest'), ['xml', 'http', 'request']);
    assert.deepStrictEqual(splitIdentifier('__init__'), ['init']);
  });

  it('keeps repeats for term frequency but query terms are distinct', () => {
    assert.deepStrictEqual(tokenize('load load model'), ['load', 'load', 'model']);
    assert.deepStrictEqual(queryTerms('how do I load the model, load it'), ['load', 'model']);
  });

  it('folds plurals the same way in text and queries', () => {
    assert.deepStrictEqual(tokenize('retries calls classes boxes queries status process maxTokens'), ['retry', 'call', 'class', 'box', 'query', 'status', 'process', 'max', 'token', 'maxtoken']);
    assert.deepStrictEqual(queryTerms('retry failed call'), tokenize('retries failed calls'));
  });

  it('finds a leading "component:" prefix', () => {
    assert.deepStrictEqual(leadingComponent('tpl/strings: Fix broken test'), ['tpl', 'string']);
    assert.deepStrictEqual(leadingComponent('bevy_reflect: add FromReflect'), ['bevy', 'reflect', 'bevyreflect']);
    assert.deepStrictEqual(leadingComponent('sync: add watch'), ['sync']);
    assert.deepStrictEqual(leadingComponent('Add foo: bar'), []);
    assert.deepStrictEqual(leadingComponent('see http://example.com'), []);
    assert.deepStrictEqual(leadingComponent('how does login work'), []);
  });

  it('drops very long blobs', () => {
    assert.deepStrictEqual(tokenize('key ' + 'A'.repeat(300)), ['key']);
  });
});
