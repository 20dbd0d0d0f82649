/**
 * A code-aware tokenizer for lexical retrieval. Identifiers are split into their words (camelCase, PascalCase,
 * snake_case, kebab-case, paths), and the whole identifier is kept too, so both `parseEndpointUrl` and
 * "parse endpoint url" find the same code. Everything is lowercased; numbers are kept; very common English and
 * keyword noise is dropped because it matches everything and ranks nothing.
 */

export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'if', 'in', 'into', 'is', 'it', 'its',
  'no', 'not', 'of', 'on', 'or', 'so', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this',
  'to', 'was', 'were', 'will', 'with', 'we', 'you', 'he', 'she', 'them', 'our', 'your', 'i', 'me', 'my',
  'do', 'does', 'did', 'has', 'have', 'had', 'can', 'could', 'would', 'should', 'what', 'which', 'who', 'how', 'when',
  'where', 'why', 'all', 'any', 'some', 'more', 'most', 'other', 'than', 'too', 'very', 'just', 'also', 'only',
  'about', 'after', 'before', 'over', 'under', 'again', 'here', 'out', 'up', 'down',
]);

const MAX_TOKEN = 64;
const SIMPLE_WORD = /^(?:[a-z]+|[0-9]+)$/;

const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
function kind(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  return OTHER;
}

/**
 * Splits one identifier into its lowercase words: `parseHTTPResponse2` → parse, http, response, 2. One pass over
 * the characters (this runs on every token of the workspace, so no regular expressions here).
 */
export function splitIdentifier(word: string): string[] {
  const parts: string[] = [];
  const n = word.length;
  let start = -1;
  let prev = OTHER;
  for (let i = 0; i < n; i++) {
    const c = kind(word.charCodeAt(i));
    if (c === OTHER) {
      if (start >= 0) parts.push(word.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (
      (prev === LOWER && c === UPPER) || // fooBar
      (prev !== DIGIT && c === DIGIT) || // utf8
      (prev === DIGIT && c !== DIGIT) || // 8bit
      (prev === UPPER && c === UPPER && i + 1 < n && kind(word.charCodeAt(i + 1)) === LOWER) // HTTPResponse
    ) {
      parts.push(word.slice(start, i).toLowerCase());
      start = i;
    }
    prev = c;
  }
  if (start >= 0) parts.push(word.slice(start).toLowerCase());
  return parts;
}

/**
 * Tokens of a text, in order (repeats kept: the index counts term frequency). A compound identifier yields its
 * parts and then the whole identifier (joined, lowercased, without separators).
 */
export function tokenize(text: string, out: string[] = []): string[] {
  // Runs of identifier characters, including the separators that build compound names and paths.
  const re = /[A-Za-z0-9_$]+(?:[-./][A-Za-z0-9_$]+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const raw = m[0];
    if (raw.length > 200) continue; // base64 blobs and hashes: noise
    if (SIMPLE_WORD.test(raw)) {
      // Fast path: most tokens are plain lowercase words or numbers, with nothing to split.
      push(out, raw);
      continue;
    }
    // Paths and member chains: each segment's words, then the segment as one word when it is compound.
    for (const seg of raw.split(/[/.]/)) {
      const parts = splitIdentifier(seg);
      for (const p of parts) push(out, p);
      if (parts.length > 1) push(out, parts.join(''));
    }
  }
  return out;
}

function push(out: string[], t: string): void {
  if (t.length > MAX_TOKEN || STOP_WORDS.has(t)) return;
  // Single letters are noise, single digits are not much better; keep longer numbers (ports, codes, versions).
  if (t.length === 1) return;
  out.push(stemPlural(t));
}

/**
 * Folds plurals so "retries" finds `retry` and "tokens" finds `maxTokens`. Deliberately only plurals: index and
 * query share this function, so the stems only have to be consistent, and -ing/-ed stripping breaks more than it fixes.
 */
export function stemPlural(t: string): string {
  if (t.length < 4 || t.charCodeAt(t.length - 1) !== 115 /* s */ || !/^[a-z]+$/.test(t)) return t;
  if (t.endsWith('ies') && t.length > 4) return t.slice(0, -3) + 'y';
  if (/(?:ss|us|is)$/.test(t)) return t;
  if (/(?:sses|xes|ches|shes)$/.test(t)) return t.slice(0, -2);
  if (t.endsWith('s')) return t.slice(0, -1);
  return t;
}

/** The distinct tokens of a query, in order of first appearance. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))];
}

/**
 * The words of a query's leading `component:` prefix, the convention of Go, Rust and many other commit and issue
 * titles ("tpl/strings: Fix …", "sync: add …", "bevy_reflect: …"): one path-like word, a colon, then a space.
 * Empty when there is none.
 */
export function leadingComponent(query: string): string[] {
  const m = /^\s*([A-Za-z0-9_$][\w$./-]*):\s/.exec(query);
  return m ? [...new Set(tokenize(m[1]))] : [];
}
