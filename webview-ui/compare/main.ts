/**
 * The Compare view's script. It renders what the host sends (the host owns the state, runs the comparison and
 * builds every figure) and sends back what the user does. Elements are found by data-testid
 * (src/vscode/compare/compareHtml.ts).
 */
import type {
  CompareDefaults,
  CompareExportFormat,
  CompareHostToWebview,
  CompareProgressView,
  DiffView,
  LiveRow,
  ModelOption,
  PanelAction,
  PromptFileView,
  PromptSetOption,
  RuntimeView,
  SavedRunView,
} from '../../src/protocol';
import { button, byTestId, el, pageWired, table } from '../dom';
import { renderRuntimeState, runtimeActionButtons } from '../runtimeHeader';
import { readForm } from './form';
import { redrawCharts, renderResult } from './results';
import { CompareFormState, vscodeApi } from './vscodeApi';

const ui = {
  runtimeState: byTestId<HTMLSpanElement>('runtime-state'),
  emulatorBadge: byTestId<HTMLSpanElement>('emulator-badge'),
  runtimeActions: byTestId<HTMLSpanElement>('runtime-actions'),
  refresh: byTestId<HTMLButtonElement>('refresh'),
  remoteNotice: byTestId<HTMLParagraphElement>('remote-notice'),
  modelCount: byTestId<HTMLSpanElement>('model-count'),
  modelChoices: byTestId<HTMLDivElement>('model-choices'),
  promptSource: byTestId<HTMLSelectElement>('prompt-source'),
  promptSourceDetail: byTestId<HTMLParagraphElement>('prompt-source-detail'),
  promptFileBox: byTestId<HTMLDivElement>('prompt-file-box'),
  pickPromptFile: byTestId<HTMLButtonElement>('pick-prompt-file'),
  promptFile: byTestId<HTMLSpanElement>('prompt-file'),
  promptFileIssues: byTestId<HTMLUListElement>('prompt-file-issues'),
  promptText: byTestId<HTMLTextAreaElement>('prompt-text'),
  runs: byTestId<HTMLInputElement>('runs'),
  temperature: byTestId<HTMLInputElement>('temperature'),
  maxTokens: byTestId<HTMLInputElement>('max-tokens'),
  cold: byTestId<HTMLInputElement>('cold'),
  judge: byTestId<HTMLSelectElement>('judge'),
  run: byTestId<HTMLButtonElement>('compare-run'),
  cancel: byTestId<HTMLButtonElement>('compare-cancel'),
  error: byTestId<HTMLDivElement>('compare-error'),
  notice: byTestId<HTMLParagraphElement>('notice'),
  progressBox: byTestId<HTMLElement>('progress-box'),
  progressBar: byTestId<HTMLProgressElement>('progress-bar'),
  progress: byTestId<HTMLSpanElement>('progress'),
  progressStep: byTestId<HTMLSpanElement>('progress-step'),
  streaming: byTestId<HTMLDetailsElement>('streaming'),
  streamingLabel: byTestId<HTMLElement>('streaming-label'),
  liveRows: byTestId<HTMLTableElement>('live-rows'),
  results: byTestId<HTMLElement>('results'),
  importRun: byTestId<HTMLButtonElement>('import'),
  diffSelected: byTestId<HTMLButtonElement>('diff-selected'),
  savedRuns: byTestId<HTMLDivElement>('saved-runs'),
  diff: byTestId<HTMLDivElement>('diff'),
};

let runtime: RuntimeView = { status: 'checking', label: 'Checking…', emulated: false, loaded: [] };
let models: ModelOption[] = [];
let defaults: CompareDefaults = { models: [], temperature: 0.5, maxTokens: 300 };
let promptSets: PromptSetOption[] = [];
let promptFile: PromptFileView | undefined;
let runningId: number | undefined;
let saved: SavedRunView[] = [];
const selectedSaved = new Set<string>();
let streamText = '';

const state: CompareFormState = vscodeApi.getState() ?? {};
/** Models in the order they were ticked: that is the order they run in. */
let picked: string[] = state.models ?? [];

function persist(): void {
  Object.assign(state, {
    source: ui.promptSource.value || state.source,
    text: ui.promptText.value,
    runs: Number(ui.runs.value),
    temperature: Number(ui.temperature.value),
    maxTokens: Number(ui.maxTokens.value),
    cold: ui.cold.checked,
    judge: ui.judge.value,
  });
  vscodeApi.setState(state);
}

// ---------------------------------------------------------------------------------------------------------------
// What the user does

function startRun(): void {
  if (runningId !== undefined) return;
  const read = readForm({
    models: picked,
    source: ui.promptSource.value,
    text: ui.promptText.value,
    runs: ui.runs.value,
    temperature: ui.temperature.value,
    maxTokens: ui.maxTokens.value,
    cold: ui.cold.checked,
    judge: ui.judge.value,
    hasPromptFile: !!promptFile?.count,
  });
  if ('error' in read) return showError(read.error);
  showError(undefined);
  vscodeApi.postMessage({ type: 'run', form: read.form });
}

ui.run.addEventListener('click', startRun);
ui.cancel.addEventListener('click', () => vscodeApi.postMessage({ type: 'cancel' }));
ui.refresh.addEventListener('click', () => vscodeApi.postMessage({ type: 'refresh' }));
ui.pickPromptFile.addEventListener('click', () => vscodeApi.postMessage({ type: 'pickPromptFile' }));
ui.importRun.addEventListener('click', () => vscodeApi.postMessage({ type: 'import' }));
ui.diffSelected.addEventListener('click', () => {
  const [a, b] = [...selectedSaved];
  if (a && b) vscodeApi.postMessage({ type: 'diffSaved', before: a, after: b });
});
ui.promptSource.addEventListener('change', () => {
  const set = promptSets.find((s) => `builtin:${s.id}` === ui.promptSource.value);
  // The QA set is meant for temperature 0: picking it says so in the form.
  if (set?.temperature !== undefined) ui.temperature.value = String(set.temperature);
  renderPromptSource();
  persist();
});
for (const input of [ui.promptText, ui.runs, ui.temperature, ui.maxTokens, ui.cold, ui.judge]) input.addEventListener('change', persist);
ui.promptText.addEventListener('input', persist);
ui.modelChoices.addEventListener('change', (e) => {
  const box = e.target instanceof HTMLInputElement ? e.target : undefined;
  if (!box) return;
  picked = picked.filter((m) => m !== box.value);
  if (box.checked) picked.push(box.value);
  state.models = picked; // from now on the user's picks, not the configured defaults
  renderModelCount();
  persist();
});
ui.runtimeActions.addEventListener('click', (e) => {
  const b = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-action]') : null;
  if (b?.dataset.action) vscodeApi.postMessage({ type: 'action', action: b.dataset.action as PanelAction });
});
// Links in rendered answers carry data-href (markdown.ts); the host decides whether to open them.
ui.results.addEventListener('click', (e) => {
  const link = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-href]') : null;
  if (link?.dataset.href) {
    e.preventDefault();
    vscodeApi.postMessage({ type: 'openLink', href: link.dataset.href });
  }
});

const resultHandlers = {
  exportRun: (format: CompareExportFormat, target: 'dialog' | 'workspace') => vscodeApi.postMessage({ type: 'export', format, target }),
  action: (action: PanelAction) => vscodeApi.postMessage({ type: 'action', action }),
  get exportFormat(): CompareExportFormat {
    return state.exportFormat ?? 'md';
  },
  onExportFormat: (format: CompareExportFormat) => {
    state.exportFormat = format;
    vscodeApi.setState(state);
  },
};

// The theme changed (VS Code swaps the body's classes): the charts re-read their colours.
new MutationObserver(() => redrawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---------------------------------------------------------------------------------------------------------------
// What the host says

window.addEventListener('message', (event: MessageEvent<CompareHostToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'snapshot': {
      const s = msg.snapshot;
      runtime = s.runtime;
      models = s.models;
      defaults = s.defaults;
      promptSets = s.promptSets;
      promptFile = s.promptFile;
      saved = s.saved;
      renderRuntime();
      renderForm();
      if (s.prefill) applyPrefill(s.prefill);
      runningId = s.running?.runId;
      renderRunning();
      if (s.running) {
        renderProgress(s.running.progress);
        ui.liveRows.tBodies[0].replaceChildren(...s.running.rows.map(liveRowNode));
      }
      renderResult(ui.results, s.result, resultHandlers);
      renderSaved();
      renderDiff(s.diff);
      return;
    }
    case 'runtime':
      runtime = msg.runtime;
      models = msg.models;
      defaults = msg.defaults;
      renderRuntime();
      renderModels();
      return;
    case 'prefill':
      applyPrefill(msg.prefill);
      return;
    case 'promptFile':
      promptFile = msg.promptFile;
      renderPromptSource();
      return;
    case 'runStarted':
      runningId = msg.runId;
      showError(undefined);
      showNotice(undefined);
      ui.liveRows.tBodies[0].replaceChildren();
      streamText = '';
      ui.streaming.querySelector('pre')!.textContent = '';
      ui.streamingLabel.textContent = 'Starting…';
      renderRunning();
      renderProgress(msg.progress);
      return;
    case 'progress':
      if (msg.runId === runningId) renderProgress(msg.progress);
      return;
    case 'record':
      if (msg.runId === runningId) ui.liveRows.tBodies[0].append(liveRowNode(msg.row));
      return;
    case 'streaming': {
      if (msg.runId !== runningId) return;
      if (msg.reset) streamText = '';
      streamText = (streamText + msg.reasoning + msg.answer).slice(-4000);
      ui.streamingLabel.textContent = `Now: ${msg.label}`;
      ui.streaming.querySelector('pre')!.textContent = streamText;
      return;
    }
    case 'runFinished':
      if (msg.runId !== runningId) return;
      runningId = undefined;
      renderRunning();
      ui.progressStep.textContent = msg.result?.cancelled ? 'cancelled — finished requests kept' : msg.result?.error ? 'stopped' : 'done';
      if (msg.result) renderResult(ui.results, msg.result, resultHandlers);
      return;
    case 'result':
      renderResult(ui.results, msg.result, resultHandlers);
      if (msg.result) ui.results.scrollIntoView({ block: 'start' });
      return;
    case 'saved':
      saved = msg.saved;
      renderSaved();
      return;
    case 'diff':
      renderDiff(msg.diff);
      return;
    case 'notice':
      if (msg.level === 'error') showError(msg.message, msg.actions);
      else showNotice(msg.message);
      return;
  }
});

vscodeApi.postMessage({ type: 'ready' });
pageWired();

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function renderRuntime(): void {
  renderRuntimeState(ui.runtimeState, runtime, true);
  ui.emulatorBadge.hidden = !runtime.emulated;
  ui.remoteNotice.hidden = !runtime.remoteHost;
  ui.remoteNotice.textContent = runtime.remoteHost ? `Prompts are sent to ${runtime.remoteHost} — not to this machine.` : '';
  ui.runtimeActions.replaceChildren(...runtimeActionButtons(runtime));
}

function renderForm(): void {
  ui.runs.value = String(state.runs ?? 3);
  ui.temperature.value = String(state.temperature ?? defaults.temperature);
  ui.maxTokens.value = String(state.maxTokens ?? defaults.maxTokens);
  ui.cold.checked = state.cold ?? false;
  ui.promptText.value = state.text ?? '';
  const options = [
    ...promptSets.map((s) => ({ value: `builtin:${s.id}`, label: `${s.name} (${s.count} prompt${s.count === 1 ? '' : 's'}${s.temperature !== undefined ? `, temperature ${s.temperature}` : ''})` })),
    { value: 'file', label: 'A JSONL file from the workspace…' },
    { value: 'text', label: 'A typed prompt or the editor selection' },
  ];
  ui.promptSource.replaceChildren(
    ...options.map((o) => {
      const option = el('option', { text: o.label });
      option.value = o.value;
      return option;
    }),
  );
  ui.promptSource.value = options.some((o) => o.value === state.source) ? state.source! : options[0].value;
  renderModels();
  renderPromptSource();
}

function renderModels(): void {
  const values = new Set(models.map((m) => m.value));
  if (!state.models) picked = defaults.models.filter((m) => values.has(m));
  // Keep picks the runtime no longer lists out of the run, but remember them (it may come back).
  const groups = new Map<string, HTMLElement>();
  for (const m of models) {
    let group = groups.get(m.group);
    if (!group) {
      group = el('fieldset', { className: 'model-group' }, el('legend', { text: m.group }));
      groups.set(m.group, group);
    }
    const box = el('input');
    box.type = 'checkbox';
    box.value = m.value;
    box.checked = picked.includes(m.value);
    box.dataset.testid = 'model-option';
    const label = el('label', { className: 'model-choice' }, box, ` ${m.label}`);
    group.append(label);
  }
  ui.modelChoices.replaceChildren(...(groups.size ? groups.values() : [el('p', { className: 'empty', text: 'No models yet: the runtime has not answered.' })]));
  const judge = ui.judge.value || state.judge || '';
  ui.judge.replaceChildren(
    el('option', { text: 'No judge (no quality scores)' }),
    ...models.map((m) => {
      const o = el('option', { text: m.label });
      o.value = m.value;
      return o;
    }),
  );
  (ui.judge.options[0] as HTMLOptionElement).value = '';
  ui.judge.value = values.has(judge) ? judge : '';
  renderModelCount();
}

function renderModelCount(): void {
  const usable = picked.filter((m) => models.some((o) => o.value === m));
  ui.modelCount.textContent = usable.length ? `${usable.length} picked — run in this order: ${usable.join(', ')}` : 'pick two or more';
}

function renderPromptSource(): void {
  const source = ui.promptSource.value;
  const set = promptSets.find((s) => `builtin:${s.id}` === source);
  ui.promptFileBox.hidden = source !== 'file';
  ui.promptText.hidden = source !== 'text';
  ui.promptSourceDetail.textContent = set ? set.description : source === 'file' ? 'One {"prompt": "...", "reference"?: "..."} per line.' : 'Every model answers this one prompt.';
  ui.promptFile.textContent = promptFile ? `${promptFile.path}: ${promptFile.count} prompt${promptFile.count === 1 ? '' : 's'}${promptFile.issues.length ? `, ${promptFile.issues.length} line${promptFile.issues.length === 1 ? '' : 's'} skipped` : ''}` : 'No file chosen.';
  ui.promptFileIssues.replaceChildren(...(promptFile?.issues ?? []).slice(0, 50).map((i) => el('li', { text: `line ${i.line}: ${i.message}` })));
}

function applyPrefill(p: { text: string; origin: string; seq: number }): void {
  if ((state.prefillSeq ?? 0) >= p.seq && ui.promptText.value) return; // already applied (a reload)
  state.prefillSeq = p.seq;
  ui.promptSource.value = 'text';
  ui.promptText.value = p.text;
  renderPromptSource();
  persist();
  showNotice(`The prompt is the ${p.origin}. Pick the models and run.`);
}

function renderRunning(): void {
  const running = runningId !== undefined;
  ui.run.disabled = running;
  ui.cancel.disabled = !running;
  ui.progressBox.hidden = !running && !ui.liveRows.tBodies[0].rows.length;
  ui.streaming.hidden = !running;
}

function renderProgress(p: CompareProgressView): void {
  ui.progressBox.hidden = false;
  ui.progressBar.max = Math.max(1, p.total);
  ui.progressBar.value = p.done;
  ui.progress.textContent = `${p.done}/${p.total}`;
  ui.progressStep.textContent = p.step;
}

function liveRowNode(r: LiveRow): HTMLTableRowElement {
  const run = r.kind === 'warm' ? `warm ${r.repeat + 1}` : r.kind === 'cold' ? 'cold' : 'warm-up';
  const tr = el('tr', { className: r.error ? 'failed' : '' }, ...[String(r.seq + 1), r.variantId && r.variantId !== r.model ? `${r.model} (${r.variantId})` : r.model, r.promptId, run, r.ttft, r.decode, r.e2e, r.tokens, r.error ?? ''].map((t) => el('td', { text: t })));
  tr.dataset.testid = 'live-row';
  return tr;
}

function showError(message: string | undefined, actions: { title: string; action: PanelAction }[] = []): void {
  ui.error.hidden = !message;
  ui.error.querySelector('.error-message')!.textContent = message ?? '';
  ui.error.querySelector('.error-actions')!.replaceChildren(
    ...actions.map((a, i) => {
      const b = button(a.title, { small: true, secondary: i > 0 });
      b.addEventListener('click', () => vscodeApi.postMessage({ type: 'action', action: a.action }));
      return b;
    }),
  );
}

function showNotice(message: string | undefined): void {
  ui.notice.hidden = !message;
  ui.notice.textContent = message ?? '';
}

function renderSaved(): void {
  for (const key of [...selectedSaved]) if (!saved.some((s) => s.key === key)) selectedSaved.delete(key);
  ui.diffSelected.disabled = selectedSaved.size !== 2;
  if (!saved.length) {
    ui.savedRuns.replaceChildren(el('p', { className: 'empty', text: 'No saved runs yet: every comparison is saved here when it ends.' }));
    return;
  }
  ui.savedRuns.replaceChildren(
    ...saved.map((s) => {
      const box = el('input');
      box.type = 'checkbox';
      box.checked = selectedSaved.has(s.key);
      box.title = 'Select two to diff';
      box.addEventListener('change', () => {
        if (box.checked) selectedSaved.add(s.key);
        else selectedSaved.delete(s.key);
        ui.diffSelected.disabled = selectedSaved.size !== 2;
      });
      const open = button('Open', { small: true, secondary: true, testid: 'saved-open' });
      open.addEventListener('click', () => vscodeApi.postMessage({ type: 'openSaved', key: s.key }));
      const del = button('Delete', { small: true, secondary: true, testid: 'saved-delete' });
      del.addEventListener('click', () => vscodeApi.postMessage({ type: 'deleteSaved', key: s.key }));
      const row = el(
        'div',
        { className: 'saved-row', testid: 'saved-run' },
        box,
        el('div', { className: 'saved-text' }, el('strong', { text: s.title }), ' ', ...(s.emulated ? [el('span', { className: 'badge emulator', text: 'EMULATOR' })] : []), el('div', { className: 'hint', text: `${new Date(s.startedAt).toLocaleString()} · ${s.detail}` })),
        open,
        del,
      );
      row.dataset.key = s.key;
      return row;
    }),
  );
}

function renderDiff(diff: DiffView | undefined): void {
  ui.diff.hidden = !diff;
  if (!diff) {
    ui.diff.replaceChildren();
    return;
  }
  const close = button('Close', { small: true, secondary: true });
  close.addEventListener('click', () => vscodeApi.postMessage({ type: 'closeDiff' }));
  const rows = diff.rows.map((r) => {
    const change = el('span', { className: `change ${r.change}`, text: r.change });
    return [r.model, r.metric, r.before, r.after, r.ratio, change];
  });
  ui.diff.replaceChildren(
    el('h3', {}, 'Diff ', close),
    el('p', { className: 'hint', text: `Before: ${diff.before.label}` }),
    el('p', { className: 'hint', text: `After: ${diff.after.label}` }),
    table(['Model', 'Metric', 'Before', 'After', 'After / before', 'Change'], rows, { testid: 'diff-table' }),
  );
}
