import * as vscode from 'vscode';
import { SummarizePanel, SummarizeDeps } from './summarizePanel';
import { emptyReason, sourceOf } from './summarySource';

/**
 * The Summarize commands. VS Code menu titles are static, so the editor's context menu shows "Summarize with
 * phi-4-mini" while the draft model is the default phi-4-mini, and "Summarize with the Small Model" otherwise (a
 * `when` clause on foundryLab.smallModel picks one); the palette has "Summarize Selection". All run the same thing.
 */
export const SUMMARIZE_COMMANDS = ['foundryLab.summarizeSelection', 'foundryLab.summarizeWithPhi4Mini', 'foundryLab.summarizeWithSmallModel'] as const;

export function summarizeCommands(deps: SummarizeDeps, command: (id: string, run: () => unknown) => vscode.Disposable): vscode.Disposable[] {
  return [
    ...SUMMARIZE_COMMANDS.map((id) => command(id, () => summarizeActiveEditor(deps))),
    command('foundryLab.showSummarize', () => SummarizePanel.show(deps)),
    { dispose: () => SummarizePanel.disposeCurrent() },
  ];
}

/** The selection of the active editor, or its whole file when nothing is selected. */
export async function summarizeActiveEditor(deps: SummarizeDeps): Promise<void> {
  // From the palette while the Summarize view has the focus there is no active text editor: the one visible is meant.
  const visible = vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme !== 'output');
  const editor = vscode.window.activeTextEditor ?? (visible.length === 1 ? visible[0] : undefined);
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file and select the text to summarize (or select nothing to summarize the whole file).');
    return;
  }
  const source = sourceOf(editor);
  const empty = emptyReason(source);
  if (empty) {
    void vscode.window.showWarningMessage(empty);
    return;
  }
  await SummarizePanel.show(deps).summarize(source);
}
