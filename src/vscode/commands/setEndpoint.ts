import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { parseEndpointUrl } from '../../core/runtime/endpoint';
import { notFoundError, RuntimeService } from '../runtimeService';
import { runtimeView } from '../runtimeText';
import type { Settings } from '../settings';
import { showError } from '../showError';

/** Foundry Local Lab: Set Endpoint — a URL checked as core checks it; empty returns to automatic discovery. */
export async function setEndpoint(runtime: RuntimeService, settings: Settings, log: Logger): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Foundry Local Lab: Endpoint',
    prompt: 'Base URL of Foundry Local or an OpenAI-compatible server, with or without /v1. Leave empty to discover Foundry Local.',
    placeHolder: 'http://127.0.0.1:5273',
    value: settings.read().endpoint,
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (!text.trim()) return undefined;
      try {
        parseEndpointUrl(text.trim(), 'setting');
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  });
  if (value === undefined) return;
  const endpoint = value.trim();
  if (endpoint !== settings.read().endpoint) await settings.update('endpoint', endpoint);
  const snapshot = await runtime.refresh('endpoint set', { restart: true });
  const view = runtimeView(snapshot);
  if (view.status !== 'found') return showError(notFoundError(snapshot.discovery), log, 'Set Endpoint');
  const remote = view.remoteHost ? ` Prompts will be sent to ${view.remoteHost}, not this machine.` : '';
  void vscode.window.showInformationMessage(`Foundry Local Lab: connected to ${view.endpoint}${view.emulated ? ' (EMULATOR)' : ''}.${remote}`);
}
