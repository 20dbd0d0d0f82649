import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { discoveryError, RuntimeConnection } from '../core/runtime/connection';
import type { DiscoveryOptions } from '../core/runtime/discovery';
import { isAbortError, isLabError, LabError } from '../core/runtime/errors';
import type { DiscoveryResult } from '../core/runtime/types';
import { RuntimeSnapshot, RUNTIME_NAMES, SOURCE_NAMES } from './runtimeText';
import type { Settings } from './settings';

/** Failures after which the runtime is looked for again (it stopped, or restarted on another port). */
const REDISCOVER_ON: ReadonlySet<string> = new Set(['not-running', 'unreachable', 'stream-broken']);

/**
 * The extension's view of the runtime: wraps core's RuntimeConnection, re-discovers when the endpoint settings
 * change, on demand, and when a request is refused, and tells the status bar and the panel when anything changed.
 */
export class RuntimeService implements vscode.Disposable {
  readonly connection: RuntimeConnection;
  private current: RuntimeSnapshot = { checking: false, models: [], loaded: [] };
  private inflight?: { controller: AbortController; promise: Promise<RuntimeSnapshot> };
  private readonly changed = new vscode.EventEmitter<RuntimeSnapshot>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly settings: Settings,
    private readonly log: Logger,
  ) {
    this.connection = new RuntimeConnection(this.discoveryOptions());
    this.subscriptions.push(
      settings.onDidChange((keys) => {
        if (!keys.has('endpoint') && !keys.has('foundryPath')) return;
        this.connection.setOptions(this.discoveryOptions());
        void this.refresh('settings changed', { restart: true });
      }),
    );
  }

  get snapshot(): RuntimeSnapshot {
    return this.current;
  }

  /**
   * Discovers the runtime and lists its models. Joins a discovery already running, unless `restart` (the settings
   * changed under it), which cancels it and starts over.
   */
  refresh(reason: string, opts: { restart?: boolean } = {}): Promise<RuntimeSnapshot> {
    if (this.inflight && !opts.restart) return this.inflight.promise;
    this.inflight?.controller.abort();
    const controller = new AbortController();
    this.log.debug(`Discovering the runtime (${reason})`);
    this.set({ ...this.current, checking: true });
    const promise = this.discover(controller.signal).then((next) => {
      if (this.inflight?.controller !== controller) return this.current; // superseded
      this.inflight = undefined;
      this.describeChange(this.current.discovery, next.discovery);
      this.set(next);
      return next;
    });
    this.inflight = { controller, promise };
    return promise;
  }

  /** Called with every failed request: a refused connection means the runtime stopped or moved. */
  noteFailure(error: unknown): void {
    if (isLabError(error) && REDISCOVER_ON.has(error.code)) void this.refresh(`a request failed: ${error.code}`);
  }

  /**
   * After a request: the runtime may have loaded a model, or runChat may have found it on a new port (a restart
   * survived by re-discovery). Cheap, and silent on failure.
   */
  async refreshLoaded(): Promise<void> {
    const d = this.current.discovery;
    if (d?.state !== 'found' || this.inflight) return;
    try {
      const { discovery, client } = await this.connection.current();
      if (discovery.state !== 'found' || discovery.endpoint.serviceUrl !== d.endpoint.serviceUrl) {
        void this.refresh('the runtime moved');
        return;
      }
      if (!client) return;
      const loaded = await client.listLoaded();
      if (loaded.join('\n') !== this.current.loaded.join('\n')) this.set({ ...this.current, loaded });
    } catch (e) {
      this.log.debug(`Could not list loaded models: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.inflight?.controller.abort();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private discoveryOptions(): DiscoveryOptions {
    const s = this.settings.read();
    return {
      endpoint: s.endpoint || undefined,
      endpointSource: s.endpoint ? 'setting' : undefined,
      env: process.env,
      foundryPath: s.foundryPath,
      log: this.log,
    };
  }

  private async discover(signal: AbortSignal): Promise<RuntimeSnapshot> {
    let discovery: DiscoveryResult;
    try {
      discovery = await this.connection.refresh(signal);
    } catch (e) {
      if (signal.aborted || isAbortError(e)) return { ...this.current, checking: false };
      // Discovery reports states rather than throwing; anything thrown (e.g. an invalid endpoint setting) is shown as unreachable.
      const s = this.settings.read();
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`Discovery failed: ${message}`);
      discovery = { state: 'unreachable', url: s.endpoint || '(discovery)', source: s.endpoint ? 'setting' : 'env', detail: message };
    }
    if (discovery.state !== 'found') return { discovery, checking: false, models: [], loaded: [] };
    let models = this.current.models;
    try {
      const { client } = await this.connection.current(signal);
      if (client) models = await client.listModels(signal);
    } catch (e) {
      if (signal.aborted) return { ...this.current, checking: false };
      this.log.warn(`Connected, but the model list failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { discovery, checking: false, models, loaded: discovery.loadedModels };
  }

  private describeChange(before: DiscoveryResult | undefined, after: DiscoveryResult | undefined): void {
    if (!after) return;
    const text =
      after.state === 'found'
        ? `Runtime found at ${after.endpoint.serviceUrl} via ${SOURCE_NAMES[after.endpoint.source]}: ${RUNTIME_NAMES[after.runtime]}${after.emulated ? ' — EMULATOR' : ''}; loaded: ${after.loadedModels.join(', ') || 'none'}`
        : `Runtime ${after.state}: ${after.detail}`;
    if (before?.state === after.state && after.state !== 'found') this.log.debug(text);
    else this.log.info(text);
  }

  private set(next: RuntimeSnapshot): void {
    this.current = next;
    this.changed.fire(next);
  }
}

/** The error to show when discovery did not find a runtime (core's wording), or undefined when it did. */
export function notFoundError(d: DiscoveryResult | undefined): LabError | undefined {
  if (!d) return new LabError('not-running', 'The runtime has not been found yet.');
  return d.state === 'found' ? undefined : discoveryError(d);
}
