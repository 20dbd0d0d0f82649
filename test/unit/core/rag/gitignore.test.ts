import * as assert from 'assert';
import { IgnoreLayer, isIgnored, parseIgnoreFile } from '../../../../src/core/rag/gitignore';

function layers(...defs: Array<[string, string]>): IgnoreLayer[] {
  return defs.map(([base, text]) => ({ base, rules: parseIgnoreFile(text) }));
}

describe('rag gitignore matcher', () => {
  // Patterns from real .gitignore files (Node, Python, Go, Rust, JetBrains templates).
  const root = layers([
    '',
    [
      '# comment',
      'node_modules/',
      '*.log',
      '!important.log',
      '/coverage',
      'docs/_build/',
      '**/tmp/**',
      'logs/**/debug.txt',
      '*.py[cod]',
      '.idea/',
      'foo?.txt',
      '\\#hash.txt',
      'trailing.txt   ',
      '',
    ].join('\n'),
  ]);
  const cases: Array<[string, boolean, boolean]> = [
    ['node_modules', true, true],
    ['packages/a/node_modules', true, true],
    ['node_modules', false, false], // dir-only pattern does not match a file
    ['error.log', false, true],
    ['deep/x/error.log', false, true],
    ['important.log', false, false],
    ['coverage', true, true],
    ['src/coverage', true, false], // anchored to the root
    ['docs/_build', true, true],
    ['x/docs/_build', true, false], // a middle slash anchors
    ['a/tmp/b.txt', false, true],
    ['logs/debug.txt', false, true],
    ['logs/a/b/debug.txt', false, true],
    ['mod.pyc', false, true],
    ['mod.py', false, false],
    ['foo1.txt', false, true],
    ['foo12.txt', false, false],
    ['#hash.txt', false, true],
    ['trailing.txt', false, true],
    ['src/index.ts', false, false],
  ];
  for (const [p, isDir, expected] of cases) {
    it(`${expected ? 'ignores' : 'keeps'} ${p}${isDir ? '/' : ''}`, () => {
      assert.strictEqual(isIgnored(root, p, isDir), expected);
    });
  }

  it('layers nested files: a deeper rule (negation) wins, and applies only under its folder', () => {
    const l = layers(['', '*.gen.ts\nsecret/\n'], ['pkg', '!keep.gen.ts\n/local.txt\n']);
    assert.strictEqual(isIgnored(l, 'a.gen.ts', false), true);
    assert.strictEqual(isIgnored(l, 'pkg/keep.gen.ts', false), false);
    assert.strictEqual(isIgnored(l, 'keep.gen.ts', false), true);
    assert.strictEqual(isIgnored(l, 'pkg/local.txt', false), true);
    assert.strictEqual(isIgnored(l, 'pkg/sub/local.txt', false), false);
    assert.strictEqual(isIgnored(l, 'local.txt', false), false);
  });

  it('negation order matters: the last matching rule decides', () => {
    assert.strictEqual(isIgnored(layers(['', '!a.txt\n*.txt']), 'a.txt', false), true);
    assert.strictEqual(isIgnored(layers(['', '*.txt\n!a.txt']), 'a.txt', false), false);
  });
});
