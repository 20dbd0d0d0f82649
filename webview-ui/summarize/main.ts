/**
 * The Summarize view's script. It renders what the host sends (the host owns the state and makes every model call)
 * and sends back what the user does. Elements are found by their data-testid (src/vscode/summarize/summarizeHtml.ts).
 */
import type { MetricRow, PanelAction, RuntimeView, SummarizeHostToWebview, SummaryApplyTarget, SummaryErrorView, SummaryPhase, SummaryStageView, SummaryStatsView, SummaryView } from '../../src/protocol';
import { formatMs, latencySegments, totalMs } from '../latency';
import { renderMarkdown } from '../markdown';
import { SummarizePersistedState, vscodeApi } from './vscodeApi';
import { actionButton, byTestId, el, pageWired } from '../dom';
import { renderRuntimeState } from '../runtimeHeader';

const RUNNING: ReadonlySet<SummaryPhase> = new Set(['drafting', 'refining', 'baseline']);

const ui = {
  runtimeState: byTestId<HTMLSpanElement>('runtime-state'),
  emulatorBadge: byTestId<HTMLSpanElement>('emulator-badge'),
  models: byTestId<HTMLSpanElement>('summary-models'),
  empty: byTestId<HTMLParagraphElement>('summary-empty'),
  main: byTestId<HTMLElement>('summary'),
  source: byTestId<HTMLParagraphElement>('summary-source'),
  sourcePreview: byTestId<HTMLDetailsElement>('summary-source-preview'),
  phase: byTestId<HTMLSpanElement>('summary-phase'),
  phaseDetail: byTestId<HTMLSpanElement>('summary-phase-detail'),
  stop: byTestId<HTMLButtonElement>('summary-stop'),
  error: byTestId<HTMLDivElement>('summary-error'),
  draftTitle: byTestId<HTMLHeadingElement>('summary-draft-title'),
  draft: byTestId<HTMLDivElement>('summary-draft'),
  finalTitle: byTestId<HTMLHeadingElement>('summary-final-title'),
  refineError: byTestId<HTMLDivElement>('summary-refine-error'),
  final: byTestId<HTMLDivElement>('summary-final'),
  actions: byTestId<HTMLDivElement>('summary-actions'),
  diff: byTestId<HTMLDetailsElement>('summary-diff'),
  decision: byTestId<HTMLDivElement>('summary-decision'),
  stages: byTestId<HTMLDivElement>('summary-stages'),
  totals: byTestId<HTMLParagraphElement>('summary-totals'),
  baseline: byTestId<HTMLButtonElement>('summary-baseline'),
  baselineResult: byTestId<HTMLDivElement>('summary-baseline-result'),
  stats: byTestId<HTMLTableElement>('summary-stats'),
  statsEmpty: byTestId<HTMLParagraphElement>('summary-stats-empty'),
  resetStats: byTestId<HTMLButtonElement>('summary-reset-stats'),
  notice: byTestId<HTMLParagraphElement>('summary-notice'),
};

let runtime: RuntimeView = { status: 'checking', label: 'Checking…', emulated: false, loaded: [] };
let draftModel = '';
let refineModel = '';
let summary: SummaryView | undefined;
let stats: SummaryStatsView = { count: 0, rows: [] };
let frame = 0;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

const persisted: SummarizePersistedState = vscodeApi.getState() ?? {};
ui.diff.open = persisted.diffOpen ?? true;
ui.sourcePreview.open = persisted.sourceOpen ?? false;

// ---------------------------------------------------------------------------------------------------------------
// What the user does

ui.stop.addEventListener('click', () => vscodeApi.postMessage({ type: 'stop' }));
ui.baseline.addEventListener('click', () => {
  if (summary) vscodeApi.postMessage({ type: 'baseline', id: summary.id });
});
ui.resetStats.addEventListener('click', () => vscodeApi.postMessage({ type: 'resetStats' }));
ui.actions.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-apply]') : null;
  if (button && summary) vscodeApi.postMessage({ type: 'apply', id: summary.id, target: button.dataset.apply as SummaryApplyTarget });
});
for (const details of [ui.diff, ui.sourcePreview]) {
  details.addEventListener('toggle', () => vscodeApi.setState({ diffOpen: ui.diff.open, sourceOpen: ui.sourcePreview.open }));
}
// Error buttons name a command; the host checks it against its allow-list.
document.body.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const button = target?.closest<HTMLButtonElement>('button[data-action]');
  if (button?.dataset.action) vscodeApi.postMessage({ type: 'action', action: button.dataset.action as PanelAction });
  // Links in model output carry data-href (markdown.ts); the host decides whether to open them.
  const link = target?.closest<HTMLElement>('[data-href]');
  if (link?.dataset.href) {
    e.preventDefault();
    vscodeApi.postMessage({ type: 'openLink', href: link.dataset.href });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// What the host says

window.addEventListener('message', (event: MessageEvent<SummarizeHostToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'summarySnapshot':
      runtime = msg.snapshot.runtime;
      draftModel = msg.snapshot.draftModel;
      refineModel = msg.snapshot.refineModel;
      summary = msg.snapshot.summary;
      stats = msg.snapshot.stats;
      renderRuntime();
      renderSummary();
      renderStats();
      return;
    case 'summaryRuntime':
      runtime = msg.runtime;
      draftModel = msg.draftModel;
      refineModel = msg.refineModel;
      renderRuntime();
      return;
    case 'summaryStarted':
      summary = msg.summary;
      renderSummary();
      return;
    case 'summaryPhase':
      if (summary?.id !== msg.id) return;
      summary.phase = msg.phase;
      summary.phaseDetail = msg.detail;
      renderPhase();
      return;
    case 'summaryDelta': {
      if (summary?.id !== msg.id) return;
      if (msg.pane === 'draft') summary.draft = msg.reset ? msg.text : summary.draft + msg.text;
      else if (msg.pane === 'refine') summary.refined = msg.reset ? msg.text : summary.refined + msg.text;
      else summary.baseline.text = msg.reset ? msg.text : summary.baseline.text + msg.text;
      scheduleTexts();
      return;
    }
    case 'summaryUpdated':
      summary = msg.summary;
      stats = msg.stats;
      renderSummary();
      renderStats();
      return;
    case 'summaryStats':
      stats = msg.stats;
      renderStats();
      return;
    case 'summaryNotice':
      showNotice(msg.level, msg.message);
      return;
  }
});

vscodeApi.postMessage({ type: 'ready' });
pageWired();

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function renderRuntime(): void {
  renderRuntimeState(ui.runtimeState, runtime, false);
  ui.emulatorBadge.hidden = !(runtime.emulated || summary?.emulated);
  const draft = summary?.draftModel ?? draftModel;
  const refine = summary?.refineModel ?? refineModel;
  ui.models.textContent = draft ? `draft ${draft} → refine ${refine}` : '';
}

function renderSummary(): void {
  ui.empty.hidden = !!summary;
  ui.main.hidden = !summary;
  renderRuntime();
  if (!summary) return;
  const s = summary;
  ui.source.textContent = `${s.source.name} — ${s.source.scope === 'selection' ? 'the selection' : 'the whole file'}, ${s.source.chars.toLocaleString('en-US')} characters${s.sections > 1 ? `, summarized in ${s.sections} sections` : ''}`;
  ui.sourcePreview.querySelector('summary')!.textContent = s.source.truncated ? `Source (the first ${s.source.preview.length.toLocaleString('en-US')} characters)` : 'Source';
  ui.sourcePreview.querySelector('pre')!.textContent = s.source.preview + (s.source.truncated ? '\n…' : '');
  renderPhase();
  renderErrorBox(ui.error, s.error);
  renderErrorBox(ui.refineError, s.refineError ? { ...s.refineError, message: `The refinement failed — the draft is kept as the final summary. ${s.refineError.message}` } : undefined);
  renderTexts();
  renderDiff();
  renderDecision();
  renderStages();
  renderBaseline();
}

function renderPhase(): void {
  if (!summary) return;
  const running = RUNNING.has(summary.phase);
  ui.phase.textContent = summary.phase;
  ui.phase.dataset.phase = summary.phase;
  const detail: Partial<Record<SummaryPhase, string>> = {
    done: summary.isRefined
      ? `refined by ${summary.refineModel}`
      : summary.refineError
        ? 'draft kept — the refinement failed'
        : summary.decision
          ? `draft kept — ${summary.decision.forced === 'never' ? 'refinement turned off' : 'no rule fired'}`
          : '',
    stopped: summary.phaseDetail ? `— ${summary.phaseDetail}` : '— what finished is kept',
  };
  ui.phaseDetail.textContent = running ? (summary.phaseDetail ?? '') : (detail[summary.phase] ?? '');
  ui.stop.disabled = !running;
  ui.baseline.disabled = running || summary.phase !== 'done';
  ui.actions.querySelectorAll('button').forEach((b) => (b.disabled = running || !summary!.final));
  ui.draft.classList.toggle('streaming', summary.phase === 'drafting');
  ui.final.classList.toggle('streaming', summary.phase === 'refining');
}

function scheduleTexts(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderTexts();
    renderBaseline();
  });
}

function renderTexts(): void {
  if (!summary) return;
  const s = summary;
  ui.draftTitle.textContent = `Draft — ${s.draftModel}${s.phase === 'drafting' && s.phaseDetail?.startsWith('section') ? ` (${s.phaseDetail.split(' with ')[0]})` : ''}`;
  ui.draft.replaceChildren(s.draft || s.phase === 'drafting' ? renderMarkdown(s.draft) : el('p', { className: 'empty', text: s.phase === 'stopped' ? 'No draft: stopped before it was finished.' : 'No draft.' }));
  const refining = s.phase === 'refining' || (!!s.refined && !s.isRefined);
  if (s.isRefined || refining) {
    ui.finalTitle.textContent = `Final — refined by ${s.refineModel}`;
    ui.final.replaceChildren(renderMarkdown(s.refined));
    ui.final.dataset.source = 'refine';
  } else if (s.final !== undefined) {
    ui.finalTitle.textContent = 'Final — the draft, unrefined';
    ui.final.replaceChildren(renderMarkdown(s.final));
    ui.final.dataset.source = 'draft';
  } else {
    ui.finalTitle.textContent = 'Final';
    ui.final.replaceChildren(el('p', { className: 'empty', text: s.phase === 'drafting' ? 'Waiting for the draft and the escalation policy…' : 'No final summary.' }));
    ui.final.dataset.source = '';
  }
}

function renderDiff(): void {
  const parts = summary?.diff;
  ui.diff.hidden = !parts?.length;
  if (!parts?.length) return;
  const words = (kind: string) => parts.filter((p) => p.kind === kind).reduce((n, p) => n + (p.text.match(/\S+/g)?.length ?? 0), 0);
  ui.diff.querySelector('summary')!.textContent = `What the refinement changed: ${words('removed')} words removed, ${words('added')} added, ${words('same')} kept`;
  ui.diff.querySelector('.diff-text')!.replaceChildren(
    ...parts.map((p) => (p.kind === 'same' ? document.createTextNode(p.text) : el(p.kind === 'added' ? 'ins' : 'del', { text: p.text }))),
  );
}

function renderDecision(): void {
  const d = summary?.decision;
  if (!d) {
    const why = summary?.error ? 'No decision: there is no draft.' : summary?.phase === 'stopped' ? 'No decision: stopped before the draft was finished.' : 'Decided once the draft is written.';
    ui.decision.replaceChildren(el('p', { className: 'empty', text: why }));
    return;
  }
  const verdict = d.forced === 'always' ? `Refined: forced by the setting (foundryLab.summarize.policy.force = always).` : d.forced === 'never' ? 'Not refined: refinement is turned off (foundryLab.summarize.policy.force = never).' : d.escalate ? `Escalated to ${summary!.refineModel}:` : `Not escalated: no rule fired — the draft of ${summary!.draftModel} is final.`;
  const hits = d.hits.filter((h) => h.rule !== 'forced');
  const list = el('ul', { className: 'rules' }, ...hits.map((h) => {
    const li = el('li', {}, el('code', { text: h.rule }), ` ${h.detail}`);
    li.dataset.rule = h.rule;
    return li;
  }));
  const extra = d.forced && hits.length ? el('p', { className: 'hint', text: d.forced === 'never' ? 'These rules would have escalated it:' : 'These rules fired too:' }) : '';
  ui.decision.replaceChildren(el('p', { className: 'verdict', text: verdict }), extra, ...(hits.length ? [list] : []));
  ui.decision.dataset.escalate = String(d.escalate);
}

function renderStages(): void {
  const s = summary;
  if (!s || !s.stages.length) {
    ui.stages.replaceChildren(el('p', { className: 'empty', text: s && RUNNING.has(s.phase) ? 'Measuring…' : 'No stage ran.' }));
    ui.totals.textContent = '';
    return;
  }
  const all = [...s.stages, ...(s.baseline.stage ? [s.baseline.stage] : [])];
  const scale = Math.max(1, ...all.map((st) => totalMs(latencySegments(st.metrics))));
  ui.stages.replaceChildren(...s.stages.map((st) => stageCard(st, scale)));
  ui.totals.replaceChildren(
    el('strong', { text: `All stages: ${s.totals?.latency ?? 'n/a'}` }),
    s.totals?.cost ? ` · blended cost ${s.totals.cost} ` : '',
    s.totals?.cost ? el('span', { className: 'badge simulated', text: 'SIMULATED', title: s.totals.costNote ?? '' }) : '',
    s.totals?.costNote ? el('span', { className: 'hint block', text: s.totals.costNote }) : '',
  );
}

function stageCard(st: SummaryStageView, scale: number): HTMLElement {
  const card = el('div', { className: `stage ${st.error ? 'failed' : ''}` });
  card.dataset.stage = st.stage;
  const where = [st.variantId ?? st.model, st.device].filter(Boolean).join(' · ');
  card.append(el('div', { className: 'stage-head' }, el('strong', { text: st.label }), ' ', el('span', { className: 'hint', text: where })));
  const segments = latencySegments(st.metrics);
  const total = totalMs(segments);
  if (total > 0) {
    const bar = el('div', { className: 'bar' });
    bar.style.width = `${Math.max(1, (total / scale) * 100)}%`;
    for (const seg of segments) {
      const part = el('div', { className: `seg ${seg.key}`, title: `${seg.label}: ${formatMs(seg.ms)}` });
      part.style.flexGrow = String(seg.ms);
      bar.append(part);
    }
    card.append(bar);
  }
  const facts = [
    st.loadMs !== undefined ? `model load ${formatMs(st.loadMs)} before the request (apart: not in TTFT or E2E)` : '',
    st.finishReason ? `finish: ${st.finishReason}` : '',
    st.reasoningChars ? `${st.reasoningChars} characters of reasoning kept apart` : '',
    st.cost ? `cost ${st.cost} (simulated)` : '',
  ].filter(Boolean);
  if (facts.length) card.append(el('p', { className: 'stage-facts', text: facts.join(' · ') }));
  card.append(metricsTable(st.metricRows));
  if (st.error) card.append(errorBox(st.error));
  return card;
}

function metricsTable(rows: MetricRow[]): HTMLTableElement {
  const table = el('table', { className: 'metrics compact' });
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr', {}, el('td', { text: r.label }), el('td', { text: r.value }));
    tr.dataset.metric = r.key;
    body.append(tr);
  }
  table.append(body);
  return table;
}

function renderBaseline(): void {
  const s = summary;
  const b = s?.baseline;
  ui.baseline.textContent = b?.state === 'done' ? 'Measure the large model alone again' : 'Compare with the large model alone';
  ui.baseline.title = s ? `Summarize the same input with ${s.refineModel} only` : '';
  if (!s || !b || b.state === 'none') {
    ui.baselineResult.replaceChildren();
    return;
  }
  const children: Node[] = [];
  if (b.comparison?.length) children.push(el('div', { className: 'comparison' }, ...b.comparison.map((line) => el('p', { text: line }))));
  if (b.state === 'running') children.push(el('p', { className: 'hint', text: `Running ${s.refineModel} alone on the same input…` }));
  if (b.state === 'stopped') children.push(el('p', { className: 'hint', text: 'Stopped: nothing measured.' }));
  if (b.error) children.push(errorBox(b.error));
  if (b.stage) {
    const all = [...s.stages, b.stage];
    const scale = Math.max(1, ...all.map((st) => totalMs(latencySegments(st.metrics))));
    children.push(stageCard(b.stage, scale));
  }
  if (b.text) {
    const text = el('details', { className: 'baseline-text' }, el('summary', { text: `The large model's own summary (${b.text.length} characters)` }));
    text.append(el('div', { className: 'answer markdown' }, renderMarkdown(b.text)));
    text.open = b.state === 'running';
    children.push(text);
  }
  ui.baselineResult.replaceChildren(...children);
}

function renderStats(): void {
  const body = ui.stats.tBodies[0];
  ui.statsEmpty.hidden = stats.count > 0;
  ui.resetStats.hidden = stats.count === 0;
  body.replaceChildren(
    ...stats.rows.map((r) => {
      const tr = el('tr', {}, el('td', { text: r.label }), el('td', { text: r.value }));
      tr.dataset.stat = r.key;
      return tr;
    }),
  );
  if (stats.count && !stats.rows.some((r) => r.key === 'baselineCount')) {
    const tr = el('tr', {}, el('td', { text: 'Against the large model alone' }), el('td', { text: 'not measured yet' }));
    tr.dataset.stat = 'baselineCount';
    body.append(tr);
  }
}

function errorBox(e: SummaryErrorView): HTMLDivElement {
  const box = el('div', { className: 'error' });
  box.setAttribute('role', 'alert');
  box.append(el('p', { className: 'error-message', text: e.message }), el('div', { className: 'error-actions' }, ...e.actions.map((a, i) => actionButton(a.title, a.action, i > 0))));
  return box;
}

function renderErrorBox(box: HTMLDivElement, e: SummaryErrorView | undefined): void {
  box.hidden = !e;
  box.querySelector('.error-message')!.textContent = e?.message ?? '';
  box.querySelector('.error-actions')!.replaceChildren(...(e?.actions ?? []).map((a, i) => actionButton(a.title, a.action, i > 0)));
}

function showNotice(level: 'info' | 'error', message: string): void {
  ui.notice.hidden = false;
  ui.notice.textContent = message;
  ui.notice.dataset.level = level;
  if (noticeTimer) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (ui.notice.hidden = true), level === 'error' ? 15000 : 6000);
}
