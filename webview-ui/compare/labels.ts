/** Chart labels. Pure (unit-tested). */

/** Long variant ids on several lines (at their dashes) rather than rotated over each other. */
export function wrapLabel(label: string, width = 20): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of label.split(/(?<=-)/)) {
    if (line && (line + part).length > width) {
      lines.push(line);
      line = '';
    }
    line += part;
  }
  if (line) lines.push(line);
  return lines;
}
