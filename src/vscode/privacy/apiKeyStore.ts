import type { Logger } from '../../core/log';
import type { ConsentMemento } from './consentPolicy';

/** VS Code's SecretStorage has this shape. */
export interface SecretsLike {
  get(key: string): Thenable<string | undefined> | Promise<string | undefined>;
  store(key: string, value: string): Thenable<void> | Promise<void>;
  delete(key: string): Thenable<void> | Promise<void>;
}

const SECRET_PREFIX = 'foundryLab.apiKey:';
/** Which endpoints have a key (URLs only, never a key): so the keys can be loaded at start-up. */
export const KEYED_ENDPOINTS = 'foundryLab.apiKeyEndpoints';

/**
 * API keys for remote endpoints, one per endpoint (its serviceUrl), kept in SecretStorage and in memory — never in
 * settings, globalState or logs. The synchronous `get` serves the request path. No VS Code API: unit-tested.
 */
export class ApiKeyStore {
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly secrets: SecretsLike,
    private readonly memento: ConsentMemento,
    private readonly log: Logger,
  ) {}

  /** Loads every stored key into memory (activation). */
  async load(): Promise<void> {
    for (const url of this.endpoints()) {
      const key = await this.secrets.get(SECRET_PREFIX + url);
      if (key) this.keys.set(url, key);
    }
    if (this.keys.size) this.log.info(`API keys loaded for ${this.keys.size} endpoint(s)`);
  }

  get(serviceUrl: string): string | undefined {
    return this.keys.get(serviceUrl);
  }

  has(serviceUrl: string): boolean {
    return this.keys.has(serviceUrl);
  }

  async set(serviceUrl: string, key: string): Promise<void> {
    const value = key.trim();
    if (!value) throw new Error('An empty API key was not stored.');
    await this.secrets.store(SECRET_PREFIX + serviceUrl, value);
    this.keys.set(serviceUrl, value);
    await this.memento.update(KEYED_ENDPOINTS, [...new Set([...this.endpoints(), serviceUrl])]);
    this.log.info(`API key stored for ${serviceUrl} (in VS Code's secret storage)`);
  }

  async clear(serviceUrl: string): Promise<boolean> {
    const had = this.keys.delete(serviceUrl) || this.endpoints().includes(serviceUrl);
    await this.secrets.delete(SECRET_PREFIX + serviceUrl);
    await this.memento.update(
      KEYED_ENDPOINTS,
      this.endpoints().filter((u) => u !== serviceUrl),
    );
    this.log.info(had ? `API key cleared for ${serviceUrl}` : `No API key was stored for ${serviceUrl}`);
    return had;
  }

  private endpoints(): string[] {
    const v = this.memento.get<unknown>(KEYED_ENDPOINTS);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  }
}
