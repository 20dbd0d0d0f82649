/**
 * Splits a text that does not fit the draft model's context into sections that do, at paragraph boundaries where
 * possible, then lines, then (for a single enormous line) a hard cut.
 */
export function splitIntoSections(text: string, maxChars: number): string[] {
  if (maxChars < 1) throw new Error('maxChars must be positive');
  if (text.length <= maxChars) return [text];
  const sections: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) sections.push(current.trim());
    current = '';
  };
  const add = (piece: string, sep: string) => {
    if (current && current.length + sep.length + piece.length > maxChars) flush();
    current = current ? current + sep + piece : piece;
  };
  for (const para of text.split(/\n\s*\n/)) {
    if (para.length <= maxChars) {
      add(para, '\n\n');
      continue;
    }
    for (const line of para.split('\n')) {
      if (line.length <= maxChars) {
        add(line, '\n');
        continue;
      }
      flush();
      for (let i = 0; i < line.length; i += maxChars) sections.push(line.slice(i, i + maxChars));
    }
  }
  flush();
  return sections;
}
