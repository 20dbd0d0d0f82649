import * as vscode from 'vscode';
import type { SummaryApplyTarget } from '../../protocol';

/** What was summarized, and where it came from: the actions put the summary back there. */
export interface SummarySource {
  text: string;
  scope: 'selection' | 'file';
  uri: vscode.Uri;
  /** The summarized range (the whole document when nothing was selected). */
  range: vscode.Range;
  name: string;
  viewColumn?: vscode.ViewColumn;
}

/** The primary selection, or the whole document when nothing is selected. */
export function sourceOf(editor: vscode.TextEditor): SummarySource {
  const doc = editor.document;
  const selected = !editor.selection.isEmpty;
  const range = selected ? new vscode.Range(editor.selection.start, editor.selection.end) : new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const name = doc.isUntitled ? doc.uri.path : (doc.uri.path.split('/').pop() ?? doc.uri.path);
  return { text: doc.getText(range), scope: selected ? 'selection' : 'file', uri: doc.uri, range, name, viewColumn: editor.viewColumn };
}

/** Why there is nothing to summarize, in words; undefined when there is something. */
export function emptyReason(s: SummarySource): string | undefined {
  if (s.text.trim()) return undefined;
  if (s.scope === 'selection') return 'The selection holds only whitespace: there is nothing to summarize. Select some text, or nothing to summarize the whole file.';
  return `${s.name} is empty: there is nothing to summarize.`;
}

/** Puts the final summary where the user asked; returns what to tell them. */
export async function applySummary(target: SummaryApplyTarget, summary: string, source: SummarySource): Promise<string> {
  const text = summary.trim();
  switch (target) {
    case 'copy':
      await vscode.env.clipboard.writeText(text);
      return 'The summary is on the clipboard.';
    case 'newDocument': {
      const doc = await vscode.workspace.openTextDocument({ content: `${text}\n`, language: 'markdown' });
      await vscode.window.showTextDocument(doc, { viewColumn: source.viewColumn ?? vscode.ViewColumn.Active });
      return 'The summary is open in a new document.';
    }
    case 'insertBelow':
    case 'replace': {
      const doc = await vscode.workspace.openTextDocument(source.uri);
      const range = doc.validateRange(source.range);
      let at: vscode.Range;
      let inserted: string;
      if (target === 'replace') {
        // The document may have changed since: replace only the very text that was summarized.
        if (doc.getText(range) !== source.text) throw new Error('The summarized text changed since; select it again and summarize, or use Insert below.');
        at = range;
        inserted = text;
      } else {
        // Below the last line of the summarized text (a selection ending at column 0 ends on the line before).
        const lastLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
        const end = doc.lineAt(Math.min(lastLine, doc.lineCount - 1)).range.end;
        at = new vscode.Range(end, end);
        inserted = `\n\n${text}\n`;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, at, inserted);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${source.name} could not be edited (is it read-only?).`);
      const editor = await vscode.window.showTextDocument(doc, { viewColumn: source.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: false });
      const start = doc.positionAt(doc.offsetAt(at.start) + (target === 'insertBelow' ? 2 : 0));
      const end = doc.positionAt(doc.offsetAt(start) + text.length);
      editor.selection = new vscode.Selection(start, end);
      editor.revealRange(new vscode.Range(start, end));
      return target === 'replace' ? `Replaced the summarized text in ${source.name}.` : `Inserted the summary below the summarized text in ${source.name}.`;
    }
  }
}
