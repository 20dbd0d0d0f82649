import * as vscode from 'vscode';
import type { ModelVariant } from '../../core/runtime/types';
import { notFoundError, RuntimeService } from '../runtimeService';
import { describeVariant, groupByAlias } from '../runtimeText';
import type { Settings } from '../settings';
import { showError } from '../showError';
import type { Logger } from '../../core/log';

type ModelItem = vscode.QuickPickItem & { value?: string };

/**
 * Foundry Local Lab: Choose Models — the small model, then the large one, from the runtime's catalog grouped by
 * alias (each variant with its device and size). Saved at user scope; nothing changes if either step is cancelled.
 */
export async function chooseModels(runtime: RuntimeService, settings: Settings, log: Logger): Promise<void> {
  let snapshot = runtime.snapshot;
  if (snapshot.discovery?.state !== 'found' || !snapshot.models.length) snapshot = await runtime.refresh('Choose Models');
  const missing = notFoundError(snapshot.discovery);
  if (missing) return showError(missing, log, 'Choose Models');
  const current = settings.read();
  const small = await pickModel(snapshot.models, snapshot.loaded, { step: 1, title: 'Small model', current: current.smallModel });
  if (!small) return;
  const large = await pickModel(snapshot.models, snapshot.loaded, { step: 2, title: 'Large model', current: current.largeModel });
  if (!large) return;
  await settings.update('smallModel', small);
  await settings.update('largeModel', large);
  log.info(`Models chosen: small ${small}, large ${large}`);
  void vscode.window.showInformationMessage(`Foundry Local Lab: small model ${small} · large model ${large}`);
}

function pickModel(models: ModelVariant[], loaded: string[], o: { step: number; title: string; current: string }): Promise<string | undefined> {
  const items: ModelItem[] = [];
  for (const g of groupByAlias(models)) {
    items.push({ label: g.alias ?? 'other', kind: vscode.QuickPickItemKind.Separator });
    if (g.alias) {
      items.push({ label: g.alias, value: g.alias, description: 'alias — the runtime picks the best variant for this machine', picked: g.alias === o.current });
    }
    for (const v of g.variants) {
      const state = loaded.includes(v.id) ? 'loaded' : v.cached === true ? 'downloaded' : v.cached === false ? 'not downloaded' : undefined;
      items.push({ label: v.id, value: v.id, description: describeVariant(v), detail: state ? `$(circle-small-filled) ${state}` : undefined });
    }
  }
  const qp = vscode.window.createQuickPick<ModelItem>();
  qp.title = `Foundry Local Lab: ${o.title}`;
  qp.step = o.step;
  qp.totalSteps = 2;
  qp.placeholder = `Current: ${o.current} — type to filter, or type a name the list does not show`;
  qp.items = items;
  qp.matchOnDescription = true;
  const active = items.find((i) => i.value === o.current);
  if (active) qp.activeItems = [active];
  return new Promise((resolve) => {
    let result: string | undefined;
    qp.onDidAccept(() => {
      result = qp.selectedItems[0]?.value ?? (qp.value.trim() || undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(result);
    });
    qp.show();
  });
}
