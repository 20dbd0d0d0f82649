/**
 * When background indexing may run. A generation on the same machine holds the gate (holdForGeneration); while any
 * hold is active, background work (watcher batches, start-up builds) pauses. An explicit request (a retrieve, a
 * rebuild) places a demand, which lets indexing run until it is done even while held. No VS Code API (unit-tested).
 */
export interface Releasable {
  dispose(): void;
}

export class IndexPauseGate {
  private holds = 0;
  private demands = 0;
  private waiters: Array<() => void> = [];
  private wasPaused = false;

  /** onChange: called with the new state on every transition (not on nested holds that change nothing). */
  constructor(private readonly onChange: (paused: boolean) => void = () => {}) {}

  get paused(): boolean {
    return this.holds > 0 && this.demands === 0;
  }

  get held(): boolean {
    return this.holds > 0;
  }

  /** Pauses background indexing until released (releasing twice is harmless). */
  hold(): Releasable {
    return this.counted(() => this.holds++, () => this.holds--);
  }

  /** Lets indexing run despite holds, until released. */
  demand(): Releasable {
    return this.counted(() => this.demands++, () => this.demands--);
  }

  /** Resolves at once when not paused, else when the pause ends. */
  whenResumed(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private counted(add: () => void, remove: () => void): Releasable {
    add();
    this.changed();
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        remove();
        this.changed();
      },
    };
  }

  private changed(): void {
    const paused = this.paused;
    if (paused === this.wasPaused) return;
    this.wasPaused = paused;
    if (!paused) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    this.onChange(paused);
  }
}
