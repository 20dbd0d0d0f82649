/**
 * Finds the `[n]` citations in a text node of a rendered (sanitized) answer — the same groups core's parseCitations
 * reads: `[1]`, `[1, 2]`, `[1][3]`, `[2-4]`, not `[1](link)`. Pure (unit-tested); main.ts turns the parts into links.
 */
export type CitationPart = { kind: 'text'; text: string } | { kind: 'cite'; raw: string; numbers: number[] };

const GROUP = /\[(\d{1,3}(?:\s*(?:,|;|-|–)\s*\d{1,3})*)\](?!\()/g;

/** Splits `text` into plain runs and citation groups; a group citing no known source stays text. */
export function splitCitations(text: string, known: (n: number) => boolean): CitationPart[] {
  const parts: CitationPart[] = [];
  let last = 0;
  for (const m of text.matchAll(GROUP)) {
    const numbers = expandGroup(m[1]).filter(known);
    if (!numbers.length) continue;
    if (m.index! > last) parts.push({ kind: 'text', text: text.slice(last, m.index) });
    parts.push({ kind: 'cite', raw: m[0], numbers: [...new Set(numbers)] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** "1, 3" → [1, 3]; "2-4" → [2, 3, 4] (ranges of fewer than 20). */
export function expandGroup(inner: string): number[] {
  const out: number[] = [];
  for (const part of inner.split(/\s*[,;]\s*/)) {
    const range = part.split(/\s*[-–]\s*/).map(Number);
    if (range.length === 2 && range[1] >= range[0] && range[1] - range[0] < 20) for (let n = range[0]; n <= range[1]; n++) out.push(n);
    else if (range.length === 1 && Number.isFinite(range[0])) out.push(range[0]);
  }
  return out;
}

/** Inside these, brackets are code or already a link: never citations. */
export const NO_CITATION_INSIDE = ['CODE', 'PRE', 'A', 'KBD', 'SAMP'];
