import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { parseEndpointUrl } from '../../core/runtime/endpoint';
import type { Endpoint } from '../../core/runtime/types';
import type { RuntimeService } from '../runtimeService';
import { consentMessage, RemoteConsentPolicy } from './consentPolicy';

let policy: RemoteConsentPolicy | undefined;

/** Activation: answers are remembered in globalState, per endpoint. */
export function initRemoteConsent(globalState: vscode.Memento, log: Logger): vscode.Disposable {
  policy = new RemoteConsentPolicy(globalState, async (host) => {
    const allow = `Allow for ${host}`;
    const choice = await vscode.window.showWarningMessage(consentMessage(host), { modal: true, detail: 'Asked once per endpoint. "Foundry Local Lab: Forget Remote Endpoint Permissions" asks again.' }, allow);
    log.info(`Remote endpoint ${host}: sending ${choice === allow ? 'allowed' : 'not allowed'}`);
    return choice === allow;
  });
  return { dispose: () => (policy = undefined) };
}

/**
 * Call before any prompt or workspace text is sent: true when the endpoint the request will use is on loopback or
 * the user allowed it (asked once per endpoint, with a modal). False = do not send. Checks the endpoint found and
 * the configured one (setting or FOUNDRY_LOCAL_ENDPOINT: a configured remote endpoint that has not answered yet may
 * answer by the time the request goes); the Foundry CLI only ever names local ones. Starts no discovery of its own.
 */
export async function ensureRemoteConsent(runtime: RuntimeService): Promise<boolean> {
  const endpoints: (Endpoint | undefined)[] = [];
  const d = runtime.snapshot.discovery;
  if (d?.state === 'found') endpoints.push(d.endpoint);
  const configured = runtime.connection.options.endpoint?.trim() || process.env.FOUNDRY_LOCAL_ENDPOINT?.trim();
  if (configured) {
    try {
      endpoints.push(parseEndpointUrl(configured, 'setting'));
    } catch {
      // An invalid endpoint is reported by discovery; nothing can be sent to it.
    }
  }
  if (endpoints.every((e) => !e || e.isLoopback)) return true;
  // Without a policy (not activated) text never goes to a remote endpoint.
  return policy ? policy.ensure(endpoints) : false;
}

/** The same, for another URL workspace text goes to (an embeddings endpoint). An invalid URL is refused. */
export async function ensureUrlConsent(url: string): Promise<boolean> {
  let endpoint: Endpoint;
  try {
    endpoint = parseEndpointUrl(url, 'setting');
  } catch {
    return false;
  }
  if (endpoint.isLoopback) return true;
  return policy ? policy.ensure([endpoint]) : false;
}

/** "Forget Remote Endpoint Permissions". */
export async function forgetRemoteConsent(): Promise<void> {
  const n = (await policy?.forget()) ?? 0;
  void vscode.window.showInformationMessage(n ? `Forgot the permission for ${n} remote endpoint(s): you will be asked again before text is sent.` : 'No remote endpoint had permission.');
}
