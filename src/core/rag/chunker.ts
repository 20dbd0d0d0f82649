/**
 * Cuts a file into chunks with exact 1-based, inclusive line ranges. Where it is cheap, cuts fall on code-structure
 * boundaries (a declaration at column 0, a Markdown heading, a blank line before a top-level block), with a
 * preceding doc comment kept with its declaration; otherwise a line-based window with overlap.
 */

export interface Chunk {
  startLine: number;
  endLine: number;
  text: string;
}

export interface ChunkOptions {
  /** Preferred chunk length in lines (default 50). */
  targetLines?: number;
  /** Never shorter than this when a cut is chosen (default 15)... */
  minLines?: number;
  /** ...and never longer (default 60). */
  maxLines?: number;
  /** Lines repeated between two chunks when a cut falls inside a block (default 8). */
  overlapLines?: number;
}

/** Declarations that start a top-level unit in common languages (checked at column 0 only). */
const DECLARATION =
  /^(?:export\s|public\s|private\s|protected\s|internal\s|static\s|abstract\s|final\s|sealed\s|async\s+(?:function|def)\b|function\b|class\s|interface\s|type\s|enum\s|struct\s|union\s|impl\b|trait\s|mod\s|def\s|func\s|fn\s|pub(?:\([a-z]+\))?\s|module\s|namespace\s|package\s|object\s|@[A-Za-z]|describe\(|it\(|test\(|[A-Za-z_][\w<>,\s*&:]*\s+\**[A-Za-z_]\w*\s*\([^;]*$)/;
const COMMENT = /^\s*(?:\/\/|\/\*|\*|#(?![#\w!])|#\s|"""|''')/;
const MARKDOWN_HEADING = /^#{1,6}\s/;
const MARKDOWN_EXT = /\.(?:md|mdx|markdown|rst|txt|adoc)$/i;

export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function chunkFile(filePath: string, text: string, opts: ChunkOptions = {}): Chunk[] {
  const target = opts.targetLines ?? 50;
  const min = opts.minLines ?? 15;
  const max = Math.max(opts.maxLines ?? 60, min + 1);
  const overlap = Math.min(opts.overlapLines ?? 8, min - 1);
  const lines = splitLines(text);
  if (!text.length) return [];
  const markdown = MARKDOWN_EXT.test(filePath);
  // 2 = a strong boundary (declaration or heading), 1 = a weak one (top-level line after a blank), 0 = none.
  const strength = (i: number): number => {
    const line = lines[i];
    if (!line || /^\s/.test(line)) return 0;
    if (markdown) return MARKDOWN_HEADING.test(line) ? 2 : lines[i - 1]?.trim() === '' ? 1 : 0;
    if (DECLARATION.test(line) && !/^[})\]]/.test(line)) return 2;
    return lines[i - 1]?.trim() === '' && !/^[})\]]/.test(line) ? 1 : 0;
  };
  // A doc comment or decorators directly above a declaration belong to it.
  const withLeadingComment = (i: number, floor: number): number => {
    let j = i;
    while (j - 1 > floor && lines[j - 1].trim() !== '' && (COMMENT.test(lines[j - 1]) || /^@/.test(lines[j - 1]))) j--;
    return j;
  };

  const chunks: Chunk[] = [];
  let start = 0;
  while (start < lines.length) {
    let end: number; // exclusive
    let next: number;
    if (lines.length - start <= max) {
      end = lines.length;
      next = end;
    } else {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = start + min; i <= start + max && i < lines.length; i++) {
        const s = strength(i);
        if (!s) continue;
        // Prefer strong boundaries, then nearness to the target length.
        const score = s * 100 - Math.abs(i - start - target);
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      if (best >= 0) {
        const cut = withLeadingComment(best, start + Math.floor(min / 2));
        end = cut;
        next = cut;
      } else {
        end = start + target;
        next = end - overlap;
      }
    }
    const slice = lines.slice(start, end);
    if (slice.some((l) => l.trim() !== '')) chunks.push({ startLine: start + 1, endLine: end, text: slice.join('\n') });
    start = next;
  }
  return chunks;
}
