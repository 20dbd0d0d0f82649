import * as assert from 'assert';
import { chunkFile, splitLines } from '../../../../src/core/rag/chunker';

function ranges(chunks: Array<{ startLine: number; endLine: number }>): string[] {
  return chunks.map((c) => `${c.startLine}-${c.endLine}`);
}

/** A TypeScript function of n lines (including its doc comment line). */
function tsFunction(name: string, n: number): string[] {
  const body = Array.from({ length: n - 3 }, (_, i) => `  const v${i} = ${i};`);
  return [`/** ${name} does things. */`, `export function ${name}() {`, ...body, '}'];
}

describe('rag chunker', () => {
  it('a short file is one chunk covering all its lines; a trailing newline adds no line', () => {
    const c = chunkFile('a.ts', 'line1\nline2\nline3\n');
    assert.deepStrictEqual(ranges(c), ['1-3']);
    assert.strictEqual(c[0].text, 'line1\nline2\nline3');
    assert.deepStrictEqual(splitLines('a\r\nb'), ['a', 'b']);
    assert.deepStrictEqual(chunkFile('a.ts', ''), []);
  });

  it('cuts at declarations, keeping the doc comment with its function', () => {
    // Three functions of 30 lines each, separated by blank lines: lines 1-30, 32-61, 63-92.
    const lines = [...tsFunction('alpha', 30), '', ...tsFunction('beta', 30), '', ...tsFunction('gamma', 30)];
    const c = chunkFile('x.ts', lines.join('\n'));
    assert.deepStrictEqual(ranges(c), ['1-31', '32-62', '63-92']);
    assert.ok(c[1].text.startsWith('/** beta does things. */\nexport function beta()'));
    assert.ok(c[2].text.includes('export function gamma'));
    // Exact ranges: each chunk's text is exactly those lines of the file.
    for (const ch of c) assert.strictEqual(ch.text, lines.slice(ch.startLine - 1, ch.endLine).join('\n'));
  });

  it('recognises Python, Go and Rust declarations', () => {
    for (const [ext, decl] of [['py', 'def handler_%():'], ['go', 'func Handler%() {'], ['rs', 'pub fn handler_%() {']] as const) {
      const lines: string[] = [];
      for (let f = 0; f < 3; f++) {
        lines.push(decl.replace('%', String(f)));
        for (let i = 0; i < 24; i++) lines.push(`    x${i} = ${i}`);
      }
      const c = chunkFile(`m.${ext}`, lines.join('\n'));
      // 75 lines: cut where the second or third declaration starts (line 26 or 51), never mid-function.
      assert.ok(c.every((ch) => (ch.startLine - 1) % 25 === 0), `${ext}: ${ranges(c)}`);
      assert.strictEqual(c[c.length - 1].endLine, 75);
    }
  });

  it('cuts Markdown at headings', () => {
    const lines: string[] = [];
    for (let s = 0; s < 4; s++) {
      lines.push(`## Section ${s}`);
      for (let i = 0; i < 19; i++) lines.push(`text ${s}.${i}`);
    }
    const c = chunkFile('README.md', lines.join('\n'));
    assert.ok(c.every((ch) => ch.text.startsWith('## Section')), ranges(c).join());
    assert.strictEqual(c[0].startLine, 1);
    assert.strictEqual(c[c.length - 1].endLine, 80);
  });

  it('falls back to line windows with overlap when there is no boundary', () => {
    const lines = Array.from({ length: 130 }, (_, i) => `    deeply.indented(${i});`);
    const c = chunkFile('data.js', lines.join('\n'), { targetLines: 50, maxLines: 60, minLines: 15, overlapLines: 8 });
    assert.deepStrictEqual(ranges(c), ['1-50', '43-92', '85-130']);
    for (const ch of c) assert.strictEqual(ch.text, lines.slice(ch.startLine - 1, ch.endLine).join('\n'));
  });

  it('covers every non-blank line of a real-looking file', () => {
    const lines: string[] = [];
    for (let f = 0; f < 20; f++) lines.push(...tsFunction(`fn${f}`, 7 + (f % 13) * 4), '');
    const c = chunkFile('big.ts', lines.join('\n'));
    const covered = new Set<number>();
    for (const ch of c) for (let l = ch.startLine; l <= ch.endLine; l++) covered.add(l);
    lines.forEach((l, i) => l.trim() && assert.ok(covered.has(i + 1), `line ${i + 1} not covered`));
    assert.ok(c.every((ch) => ch.endLine - ch.startLine + 1 <= 60));
  });
});
