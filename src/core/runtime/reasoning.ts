/**
 * Separates reasoning from the answer in a streamed `content`, chunk by chunk. Reasoning models put their thinking
 * inline: qwen3-style `<think>…</think>`, gpt-oss raw Harmony markup
 * (`<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>…<|return|>`).
 * Markers can be split across chunks, so a possible marker prefix at the end of a chunk is held back.
 */
const MARKER_RE = /<think>|<\/think>|<\|[a-z_]+\|>/g;
const MARKERS = ['<think>', '</think>', '<|channel|>', '<|message|>', '<|end|>', '<|start|>', '<|return|>', '<|call|>', '<|constrain|>'];

type Sink = 'answer' | 'reasoning' | 'header' | 'channel';

export interface SplitText {
  answer: string;
  reasoning: string;
}

export class ReasoningSplitter {
  private sink: Sink = 'answer';
  private carry = '';
  private channel = '';
  /** Leading whitespace of the answer is dropped (it follows `</think>` or a channel switch). */
  private answerStarted = false;

  push(text: string): SplitText {
    const input = this.carry + text;
    this.carry = '';
    const out: SplitText = { answer: '', reasoning: '' };
    let pos = 0;
    MARKER_RE.lastIndex = 0;
    for (let m = MARKER_RE.exec(input); m; m = MARKER_RE.exec(input)) {
      this.emit(input.slice(pos, m.index), out);
      this.marker(m[0]);
      pos = m.index + m[0].length;
    }
    let rest = input.slice(pos);
    const lt = rest.lastIndexOf('<');
    if (lt >= 0 && isMarkerPrefix(rest.slice(lt))) {
      this.carry = rest.slice(lt);
      rest = rest.slice(0, lt);
    }
    this.emit(rest, out);
    return out;
  }

  /** End of stream: whatever was held back is plain text. */
  finish(): SplitText {
    const out: SplitText = { answer: '', reasoning: '' };
    this.emit(this.carry, out);
    this.carry = '';
    return out;
  }

  private emit(text: string, out: SplitText): void {
    if (!text) return;
    switch (this.sink) {
      case 'answer':
        if (!this.answerStarted) {
          text = text.replace(/^\s+/, '');
          if (!text) return;
          this.answerStarted = true;
        }
        out.answer += text;
        return;
      case 'reasoning':
        out.reasoning += text;
        return;
      case 'channel':
        this.channel += text;
        return;
      case 'header':
        return; // role names after <|start|>
    }
  }

  private marker(marker: string): void {
    switch (marker) {
      case '<think>':
        this.sink = 'reasoning';
        return;
      case '</think>':
        this.sink = 'answer';
        return;
      case '<|start|>':
        this.sink = 'header';
        return;
      case '<|channel|>':
        this.sink = 'channel';
        this.channel = '';
        return;
      case '<|constrain|>':
        return; // part of a channel header (`commentary to=fn<|constrain|>json`)
      case '<|message|>':
        // Only the final channel is the answer; analysis and commentary are thinking / tool preambles.
        this.sink = this.sink === 'channel' && !/^\s*final\b/.test(this.channel) ? 'reasoning' : 'answer';
        return;
      default:
        // <|end|>, <|return|>, <|call|> and unknown special tokens close a message.
        this.sink = 'answer';
    }
  }
}

function isMarkerPrefix(s: string): boolean {
  if (s.length > 16) return false;
  return MARKERS.some((m) => m.startsWith(s)) || /^<\|[a-z_]*\|?$/.test(s);
}
