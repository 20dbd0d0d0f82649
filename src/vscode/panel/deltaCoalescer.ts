/**
 * Collects streamed text and hands it on at most every `intervalMs`: a model can emit hundreds of tokens a second,
 * and one postMessage per token would make the webview's re-render the bottleneck. No VS Code API (unit-tested).
 */
export class DeltaCoalescer {
  private answer = '';
  private reasoning = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (answer: string, reasoning: string) => void,
  ) {}

  push(answer: string, reasoning: string): void {
    if (this.disposed || (!answer && !reasoning)) return;
    this.answer += answer;
    this.reasoning += reasoning;
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Delivers what is pending now (before a phase change or the end, so the order of messages is kept). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.answer && !this.reasoning) return;
    const answer = this.answer;
    const reasoning = this.reasoning;
    this.answer = '';
    this.reasoning = '';
    this.deliver(answer, reasoning);
  }

  /** Flushes what is pending, then ignores further pushes. */
  dispose(): void {
    this.flush();
    this.disposed = true;
  }
}
