/**
 * The host's end of the index worker: starts it, sends typed requests, checks every reply against the protocol,
 * routes progress, cancels builds, and fails every pending request when the worker dies (it is started again on
 * next use by the IndexService). No VS Code API (unit-tested with a real worker).
 */
import { Worker } from 'worker_threads';
import type { Logger } from '../../core/log';
import { LabError, LabErrorCode } from '../../core/runtime/errors';
import { createPauseSignal, IndexReply, IndexRequests, IndexRequestType, parseReply, parseWorkerMessage, setPaused, wakeWorker } from './indexProtocol';

export interface RequestOptions {
  onProgress?: (done: number, total: number) => void;
  /** A build is cancelled in the worker (its reply is then an `aborted` error); other requests stop waiting. */
  signal?: AbortSignal;
}

interface Pending {
  type: IndexRequestType;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: RequestOptions['onProgress'];
}

/** The worker's heap is capped: a runaway index ends the worker, never the extension host. */
const WORKER_HEAP_MB = 2048;
const DISPOSE_TIMEOUT_MS = 3000;

export class IndexWorkerClient {
  private readonly worker: Worker;
  private readonly pauseSignal = createPauseSignal();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead?: Error;

  constructor(workerPath: string, private readonly log: Logger, private readonly onExit?: (error: Error) => void) {
    this.worker = new Worker(workerPath, { workerData: { indexWorker: true, pauseSignal: this.pauseSignal }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker.on('message', (data) => this.receive(data));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the index worker exited (code ${code})`)));
  }

  get alive(): boolean {
    return !this.dead;
  }

  request<T extends IndexRequestType>(type: T, payload: IndexRequests[T][0], opts: RequestOptions = {}): Promise<IndexReply<T>> {
    if (this.dead) return Promise.reject(new LabError('index-failed', `The workspace index is not available: ${this.dead.message}`));
    if (opts.signal?.aborted) return Promise.reject(new LabError('aborted', 'Cancelled.'));
    const id = this.nextId++;
    return new Promise<IndexReply<T>>((resolve, reject) => {
      const onAbort = () => {
        if (type === 'build') this.post({ type: 'cancel', id: this.nextId++, target: id });
        else settle(() => reject(new LabError('aborted', 'Cancelled.')));
      };
      const settle = (f: () => void) => {
        if (!this.pending.delete(id)) return;
        opts.signal?.removeEventListener('abort', onAbort);
        f();
      };
      this.pending.set(id, {
        type,
        resolve: (v) => settle(() => resolve(v as IndexReply<T>)),
        reject: (e) => settle(() => reject(e)),
        onProgress: opts.onProgress,
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.post({ type, id, ...payload });
    });
  }

  /** Background builds wait between two files while paused; requests are still answered. */
  setPaused(paused: boolean): void {
    setPaused(this.pauseSignal, paused);
  }

  /** Asks the worker to write unsaved changes, then ends it. */
  async dispose(): Promise<void> {
    if (this.dead) return;
    const timeout = new Promise((r) => setTimeout(r, DISPOSE_TIMEOUT_MS).unref());
    await Promise.race([this.request('dispose', {}).catch(() => undefined), timeout]);
    this.dead ??= new Error('disposed');
    await this.worker.terminate();
  }

  private post(message: object): void {
    this.worker.postMessage(message);
    // A worker paused mid-build does not read messages: let it run to its next yield.
    wakeWorker(this.pauseSignal);
  }

  private receive(data: unknown): void {
    const m = parseWorkerMessage(data);
    if (!m) {
      this.log.warn(`Index worker: ignored a malformed message ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    if (m.type === 'log') {
      this.log[m.level](m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.done, m.total);
      return;
    }
    if (!m.ok) {
      p.reject(new LabError(isKnownCode(m.error.code) ? m.error.code : 'index-failed', m.error.message));
      return;
    }
    const value = parseReply(p.type, m.value);
    if (value === undefined) p.reject(new LabError('index-failed', `The index worker sent a malformed ${p.type} reply.`));
    else p.resolve(value);
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    this.log.error(`Index worker: ${error.message}`);
    for (const p of [...this.pending.values()]) p.reject(new LabError('index-failed', `The workspace index stopped: ${error.message}`));
    this.onExit?.(error);
  }
}

function isKnownCode(code: string | undefined): code is LabErrorCode {
  return code === 'aborted' || code === 'index-failed';
}
