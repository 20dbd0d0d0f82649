import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { parseEndpointUrl } from '../../core/runtime/endpoint';
import type { RuntimeService } from '../runtimeService';
import { ApiKeyStore } from './apiKeyStore';

/** Activation: loads the stored keys and gives the connection the lookup (every request under that endpoint sends it). */
export function initApiKeys(context: vscode.ExtensionContext, runtime: RuntimeService, log: Logger): ApiKeyStore {
  const store = new ApiKeyStore(context.secrets, context.globalState, log);
  runtime.connection.setApiKeys((serviceUrl) => store.get(serviceUrl));
  void store.load().then(
    () => {
      if (store.has(targetEndpoint(runtime) ?? '')) void runtime.refresh('API keys loaded', { restart: true });
    },
    (e: unknown) => log.warn(`Could not read the stored API keys: ${e instanceof Error ? e.message : String(e)}`),
  );
  return store;
}

/** "Set API Key": for the configured endpoint (or the discovered one), in SecretStorage. */
export async function setApiKey(store: ApiKeyStore, runtime: RuntimeService): Promise<void> {
  const url = targetEndpoint(runtime);
  if (!url) {
    void vscode.window.showWarningMessage('Set an endpoint first (Foundry Local Lab: Set Endpoint): an API key belongs to one endpoint.');
    return;
  }
  const key = await vscode.window.showInputBox({
    title: `API key for ${url}`,
    prompt: 'Sent as a bearer token to this endpoint only; kept in VS Code\u2019s secret storage, never in settings or logs.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the key, or press Escape.'),
  });
  if (!key) return;
  await store.set(url, key);
  void runtime.refresh('API key set', { restart: true });
  void vscode.window.showInformationMessage(`API key stored for ${url}.`);
}

/** "Clear API Key". */
export async function clearApiKey(store: ApiKeyStore, runtime: RuntimeService): Promise<void> {
  const url = targetEndpoint(runtime);
  if (!url) return;
  const had = await store.clear(url);
  void runtime.refresh('API key cleared', { restart: true });
  void vscode.window.showInformationMessage(had ? `API key cleared for ${url}.` : `No API key was stored for ${url}.`);
}

/** The configured endpoint's serviceUrl, else the discovered one's. */
function targetEndpoint(runtime: RuntimeService): string | undefined {
  const configured = runtime.connection.options.endpoint?.trim();
  if (configured) {
    try {
      return parseEndpointUrl(configured, 'setting').serviceUrl;
    } catch {
      return undefined;
    }
  }
  const d = runtime.snapshot.discovery;
  return d?.state === 'found' ? d.endpoint.serviceUrl : undefined;
}

/** The key for chat requests (streamChat's bearer token) to the endpoint found, if it has one. */
export function chatApiKey(runtime: RuntimeService): string | undefined {
  const d = runtime.snapshot.discovery;
  return d?.state === 'found' ? runtime.connection.apiKeyFor(d.endpoint.serviceUrl) : undefined;
}
