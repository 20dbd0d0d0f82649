import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { LabSettings, SETTINGS_SECTION, validateSettings } from './settingsSchema';

export type { LabSettings } from './settingsSchema';

/**
 * The one place settings are read. Invalid values become defaults with a warning in the log (each distinct warning
 * once, not at every read).
 */
export class Settings implements vscode.Disposable {
  private readonly warned = new Set<string>();
  private readonly changed = new vscode.EventEmitter<Set<keyof LabSettings>>();
  private readonly subscription: vscode.Disposable;
  /** Fires with the keys that changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Logger) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      const keys = new Set<keyof LabSettings>();
      for (const key of Object.keys(this.read()) as (keyof LabSettings)[]) {
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`)) keys.add(key);
      }
      this.changed.fire(keys);
    });
  }

  read(): LabSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const { settings, warnings } = validateSettings((key) => config.get(key));
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.log.warn(w);
    }
    return settings;
  }

  /** Saves at user (global) scope: models and endpoints describe this machine, not one workspace. */
  async update<K extends keyof LabSettings>(key: K, value: LabSettings[K]): Promise<void> {
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
