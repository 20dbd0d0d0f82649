/**
 * A word-level diff of the draft and the final summary, for the side-by-side view: what the refinement removed and
 * added. Longest common subsequence over words (whitespace kept with the word before it), the common head and tail
 * trimmed first. No VS Code API (unit-tested).
 */
import type { SummaryDiffPart } from '../../protocol';

/** Beyond this many word pairs the table would be too big to compute in the host at once: the diff says "rewritten". */
export const MAX_DIFF_CELLS = 4_000_000;

export function wordDiff(before: string, after: string): SummaryDiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  const key = (t: string) => t.trimEnd();
  let head = 0;
  while (head < a.length && head < b.length && key(a[head]) === key(b[head])) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && key(a[a.length - 1 - tail]) === key(b[b.length - 1 - tail])) tail++;

  const parts: SummaryDiffPart[] = [];
  const push = (kind: SummaryDiffPart['kind'], text: string) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last?.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  b.slice(0, head).forEach((t) => push('same', t));

  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length;
  const m = y.length;
  if ((n + 1) * (m + 1) > MAX_DIFF_CELLS) {
    push('removed', x.join(''));
    push('added', y.join(''));
  } else {
    // lcs[i * (m + 1) + j] = length of the LCS of x[i..] and y[j..]
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] = key(x[i]) === key(y[j]) ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (key(x[i]) === key(y[j])) {
        push('same', y[j]);
        i++;
        j++;
      } else if (lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) push('removed', x[i++]);
      else push('added', y[j++]);
    }
    while (i < n) push('removed', x[i++]);
    while (j < m) push('added', y[j++]);
  }
  b.slice(b.length - tail).forEach((t) => push('same', t));
  return parts;
}

/** Words with their trailing whitespace; leading whitespace is a token of its own. */
function tokens(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}

