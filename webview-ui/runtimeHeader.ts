/** The runtime line every page shows at its top: state, endpoint, tooltip, and the actions a stopped runtime needs. */
import type { RuntimeView } from '../src/protocol';
import { actionButton } from './dom';

/** `detailed` adds how the endpoint was found and the loaded models (the pages that run models of their choice). */
export function renderRuntimeState(el: HTMLElement, runtime: RuntimeView, detailed: boolean): void {
  const via = detailed && runtime.source ? ` (via ${runtime.source})` : '';
  el.textContent = `${runtime.label}${runtime.endpoint ? ` — ${runtime.endpoint}${via}` : ''}`;
  el.dataset.status = runtime.status;
  const loaded = detailed && runtime.loaded.length ? `Loaded: ${runtime.loaded.join(', ')}` : '';
  el.title = [runtime.runtime, loaded, runtime.detail].filter(Boolean).join('\n');
}

/** Start Foundry Local when it is stopped; Set Endpoint when nothing answers (secondary beside Start). */
export function runtimeActionButtons(runtime: RuntimeView): HTMLButtonElement[] {
  const actions: HTMLButtonElement[] = [];
  if (runtime.status === 'stopped') actions.push(actionButton('Start Foundry Local', 'foundryLab.startService'));
  if (runtime.status === 'stopped' || runtime.status === 'not-installed' || runtime.status === 'unreachable') {
    actions.push(actionButton('Set Endpoint', 'foundryLab.setEndpoint', runtime.status === 'stopped'));
  }
  return actions;
}
