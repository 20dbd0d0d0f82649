/**
 * The panel's script. It renders what the host sends (the host owns the state and makes every model call) and
 * sends back what the user does. Elements are found by their data-testid (src/vscode/panel/panelHtml.ts).
 */
import type { HistoryEntry, HostToWebview, ModelOption, PanelAction, RunPhase, RunView, RuntimeView } from '../src/protocol';
import { formatMs, latencySegments, totalMs } from './latency';
import { renderMarkdown } from './markdown';
import { PersistedState, vscodeApi } from './vscodeApi';
import { actionButton, byTestId, el, pageWired } from './dom';
import { renderRuntimeState, runtimeActionButtons } from './runtimeHeader';

const RUNNING: ReadonlySet<RunPhase> = new Set(['resolving', 'loading', 'waiting', 'streaming']);

const ui = {
  runtimeState: byTestId<HTMLSpanElement>('runtime-state'),
  emulatorBadge: byTestId<HTMLSpanElement>('emulator-badge'),
  runtimeActions: byTestId<HTMLSpanElement>('runtime-actions'),
  refresh: byTestId<HTMLButtonElement>('refresh'),
  remoteNotice: byTestId<HTMLParagraphElement>('remote-notice'),
  model: byTestId<HTMLSelectElement>('model-select'),
  prompt: byTestId<HTMLTextAreaElement>('prompt'),
  context: byTestId<HTMLTextAreaElement>('context'),
  run: byTestId<HTMLButtonElement>('run'),
  stop: byTestId<HTMLButtonElement>('stop'),
  phase: byTestId<HTMLSpanElement>('phase'),
  phaseDetail: byTestId<HTMLSpanElement>('phase-detail'),
  error: byTestId<HTMLDivElement>('error'),
  modelInfo: byTestId<HTMLParagraphElement>('model-info'),
  reasoning: byTestId<HTMLDetailsElement>('reasoning'),
  answer: byTestId<HTMLDivElement>('answer'),
  latencyBar: byTestId<HTMLDivElement>('latency-bar'),
  metrics: byTestId<HTMLTableElement>('metrics'),
  history: byTestId<HTMLDivElement>('history'),
};

let runtime: RuntimeView = { status: 'checking', label: 'Checking…', emulated: false, loaded: [] };
let models: ModelOption[] = [];
let smallModel = '';
let run: RunView | undefined;
let history: HistoryEntry[] = [];
/** When the current run started, by this page's clock: the elapsed time shows a slow cold load is not a hang. */
let runStartedAt = 0;
let ticker: ReturnType<typeof setInterval> | undefined;
let answerFrame = 0;

const persisted: PersistedState = vscodeApi.getState() ?? {};
// A value typed before the script ran is kept (the boxes ship disabled until then; this is the belt to those braces).
ui.prompt.value ||= persisted.prompt ?? '';
ui.context.value ||= persisted.context ?? '';

// ---------------------------------------------------------------------------------------------------------------
// What the user does

function persist(): void {
  vscodeApi.setState({ model: ui.model.value || persisted.model, prompt: ui.prompt.value, context: ui.context.value });
}

function startRun(): void {
  if (run && RUNNING.has(run.phase)) return;
  const prompt = ui.prompt.value;
  const model = ui.model.value;
  if (!prompt.trim()) return showLocalError('Type a prompt first.');
  if (!model) return showLocalError('Choose a model first.');
  vscodeApi.postMessage({ type: 'run', model, prompt, context: ui.context.value });
}

ui.run.addEventListener('click', startRun);
ui.stop.addEventListener('click', () => vscodeApi.postMessage({ type: 'stop' }));
ui.refresh.addEventListener('click', () => vscodeApi.postMessage({ type: 'refresh' }));
for (const box of [ui.prompt, ui.context]) {
  box.addEventListener('input', persist);
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      startRun();
    }
  });
}
ui.model.addEventListener('change', () => {
  persisted.model = ui.model.value;
  persist();
});

// Links in the answer carry data-href (markdown.ts); the host decides whether to open them.
function openLinkFrom(target: EventTarget | null): boolean {
  const link = target instanceof Element ? target.closest<HTMLElement>('[data-href]') : null;
  const href = link?.dataset.href;
  if (!href) return false;
  vscodeApi.postMessage({ type: 'openLink', href });
  return true;
}
ui.answer.addEventListener('click', (e) => {
  if (openLinkFrom(e.target)) e.preventDefault();
});
ui.answer.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && openLinkFrom(e.target)) e.preventDefault();
});

// Action buttons (an error's next steps, the runtime's) name a command; the host checks it against its allow-list.
for (const container of [ui.error, ui.runtimeActions]) {
  container.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-action]') : null;
    if (button?.dataset.action) vscodeApi.postMessage({ type: 'action', action: button.dataset.action as PanelAction });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What the host says

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'snapshot':
      runtime = msg.snapshot.runtime;
      models = msg.snapshot.models;
      smallModel = msg.snapshot.smallModel;
      run = msg.snapshot.run;
      history = msg.snapshot.history;
      renderRuntime();
      renderModels();
      renderRun();
      renderHistory();
      return;
    case 'runtime':
      runtime = msg.runtime;
      models = msg.models;
      smallModel = msg.smallModel;
      renderRuntime();
      renderModels();
      return;
    case 'runStarted':
      run = msg.run;
      runStartedAt = performance.now();
      ui.reasoning.open = false;
      renderRun();
      return;
    case 'phase':
      if (run?.runId !== msg.runId) return;
      run.phase = msg.phase;
      run.phaseDetail = msg.detail;
      if (msg.model) run.model = msg.model;
      renderPhase();
      renderModelInfo();
      return;
    case 'delta':
      if (run?.runId !== msg.runId) return;
      run.text += msg.answer;
      run.reasoning += msg.reasoning;
      scheduleAnswer();
      return;
    case 'runFinished':
      history = msg.history;
      renderHistory();
      if (run?.runId !== msg.run.runId) return;
      run = msg.run;
      renderRun();
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
  ui.remoteNotice.textContent = runtime.remoteHost ? `Prompts and context are sent to ${runtime.remoteHost} — not to this machine.` : '';
  ui.runtimeActions.replaceChildren(...runtimeActionButtons(runtime));
}

function renderModels(): void {
  const wanted = ui.model.value || persisted.model || smallModel;
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const m of models) {
    let group = groups.get(m.group);
    if (!group) {
      group = el('optgroup');
      group.label = m.group;
      groups.set(m.group, group);
    }
    const option = el('option', { text: m.label });
    option.value = m.value;
    group.append(option);
  }
  ui.model.replaceChildren(...groups.values());
  const values = models.map((m) => m.value);
  ui.model.value = values.includes(wanted) ? wanted : values.includes(smallModel) ? smallModel : (values[0] ?? '');
}

function renderRun(): void {
  renderPhase();
  renderError();
  renderModelInfo();
  renderReasoning();
  renderAnswer();
  renderMetrics();
}

function renderPhase(): void {
  const phase = run?.phase ?? 'idle';
  const running = !!run && RUNNING.has(run.phase);
  ui.phase.textContent = phase;
  ui.phase.dataset.phase = phase;
  ui.run.disabled = running;
  ui.stop.disabled = !running;
  ui.answer.classList.toggle('streaming', running);
  if (running && !ticker) ticker = setInterval(renderPhaseDetail, 1000);
  if (!running && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
  renderPhaseDetail();
}

function renderPhaseDetail(): void {
  if (!run) {
    ui.phaseDetail.textContent = '';
    return;
  }
  const elapsed = runStartedAt ? ` · ${Math.floor((performance.now() - runStartedAt) / 1000)} s` : '';
  const e2e = run.metrics?.e2eMs;
  const texts: Record<RunPhase, string> = {
    resolving: `finding the variant of ${run.phaseDetail ?? run.requested}…${elapsed}`,
    loading: `loading ${run.phaseDetail ?? 'the model'} into memory — a cold load can take minutes${elapsed}`,
    waiting: `waiting for the first token${elapsed}`,
    streaming: `streaming${elapsed}`,
    done: e2e !== undefined ? `in ${formatMs(e2e)}` : '',
    stopped: '— what arrived is kept',
    failed: '',
  };
  ui.phaseDetail.textContent = texts[run.phase];
}

function renderError(): void {
  const error = run?.error;
  ui.error.hidden = !error;
  ui.error.querySelector('.error-message')!.textContent = error?.message ?? '';
  ui.error.querySelector('.error-actions')!.replaceChildren(...(error?.actions ?? []).map((a, i) => actionButton(a.title, a.action, i > 0)));
}

function showLocalError(message: string): void {
  ui.error.hidden = false;
  ui.error.querySelector('.error-message')!.textContent = message;
  ui.error.querySelector('.error-actions')!.replaceChildren();
}

function renderModelInfo(): void {
  if (!run) {
    ui.modelInfo.textContent = '';
    return;
  }
  const parts: string[] = [];
  if (run.model) parts.push(run.model.id, run.model.device, ...(run.model.executionProvider ? [run.model.executionProvider] : []));
  else parts.push(run.requested);
  if (run.loadMs !== undefined) parts.push(`loaded in ${formatMs(run.loadMs)} before the request (not part of TTFT)`);
  if (run.finishReason) parts.push(`finish: ${run.finishReason}`);
  ui.modelInfo.replaceChildren(el('span', { text: parts.join(' · ') }));
  if (run.emulated) ui.modelInfo.append(' ', el('span', { className: 'badge emulator', text: 'EMULATED', title: 'This answer came from the test emulator, not a model' }));
}

function renderReasoning(): void {
  const text = run?.reasoning ?? '';
  ui.reasoning.hidden = !text;
  ui.reasoning.querySelector('summary')!.textContent = `Reasoning (${text.length} characters, kept apart from the answer)`;
  ui.reasoning.querySelector('pre')!.textContent = text;
}

function scheduleAnswer(): void {
  if (answerFrame) return;
  answerFrame = requestAnimationFrame(() => {
    answerFrame = 0;
    renderReasoning();
    renderAnswer();
  });
}

function renderAnswer(): void {
  ui.answer.replaceChildren(renderMarkdown(run?.text ?? ''));
}

function renderMetrics(): void {
  const body = ui.metrics.tBodies[0];
  const rows = run?.metricRows;
  if (!rows) {
    body.replaceChildren();
    ui.latencyBar.replaceChildren(el('p', { className: 'empty', text: run ? 'Measuring…' : 'Run a prompt to see its timeline.' }));
    return;
  }
  const segments = latencySegments(run?.metrics ?? {});
  const total = totalMs(segments);
  if (!segments.length || total <= 0) {
    // Failed before the request was sent: a table of n/a would say nothing.
    body.replaceChildren();
    ui.latencyBar.replaceChildren(el('p', { className: 'empty', text: 'No timeline: the request did not reach the runtime.' }));
    return;
  }
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = el('tr', {}, el('td', { text: r.label }), el('td', { text: r.value }));
      tr.dataset.metric = r.key;
      return tr;
    }),
  );
  ui.latencyBar.replaceChildren(
    stackedBar(segments),
    el('p', { className: 'bar-caption', text: `${segments.map((s) => `${s.label} ${formatMs(s.ms)}`).join(' · ')} — total ${formatMs(total)}` }),
  );
}

/** A horizontal bar of proportional segments (flex-grow set through the CSSOM, which the CSP allows). */
function stackedBar(segments: ReturnType<typeof latencySegments>, widthPercent = 100): HTMLDivElement {
  const bar = el('div', { className: 'bar' });
  bar.style.width = `${widthPercent}%`;
  for (const s of segments) {
    const seg = el('div', { className: `seg ${s.key}`, title: `${s.label}: ${formatMs(s.ms)}` });
    seg.style.flexGrow = String(s.ms);
    bar.append(seg);
  }
  return bar;
}

function renderHistory(): void {
  if (!history.length) {
    ui.history.replaceChildren(el('p', { className: 'empty', text: 'No runs yet.' }));
    return;
  }
  const totals = history.map((h) => totalMs(latencySegments(h)));
  const max = Math.max(...totals, 1);
  ui.history.replaceChildren(
    ...history
      .slice()
      .reverse()
      .map((h) => {
        const segments = latencySegments(h);
        const total = totalMs(segments);
        const label = el('div', { className: 'history-label', text: `#${h.runId} ${h.model}${h.device ? ` (${h.device})` : ''}`, title: h.model });
        const figures = [
          h.outcome === 'done' ? '' : h.outcome,
          h.ttftMs !== undefined ? `TTFT ${formatMs(h.ttftMs)}` : '',
          h.e2eMs !== undefined ? `E2E ${formatMs(h.e2eMs)}` : '',
        ].filter(Boolean).join(' · ');
        const bar = total > 0 ? [el('div', { className: 'history-bar' }, stackedBar(segments, (total / max) * 100))] : [];
        const row = el('div', { className: `history-row ${h.outcome}` }, label, ...bar, el('div', { className: 'history-figures', text: figures }));
        row.dataset.runId = String(h.runId);
        return row;
      }),
  );
}
