import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { SETTINGS_SECTION } from '../settingsSchema';
import { SummarizeSettings, validateSummarizeSettings } from './summarizeSettings';

/** Each distinct warning once, not at every summary. */
const warned = new Set<string>();

/** Reads `foundryLab.summarize.*`; invalid values become defaults with a warning in the log. */
export function readSummarizeSettings(log: Logger): SummarizeSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const { settings, warnings } = validateSummarizeSettings((key) => config.get(key));
  for (const w of warnings) {
    if (warned.has(w)) continue;
    warned.add(w);
    log.warn(w);
  }
  return settings;
}
