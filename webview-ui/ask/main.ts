/**
 * The Ask the Workspace view's script. It renders what the host sends (the host owns the turns, makes every model
 * call and resolves every click) and sends back what the user does. Model output and file text reach the page only
 * through the sanitizer (markdown.ts); the buttons and citation links are this script's own elements, and only
 * those act on a click.
 */
import type { AskHostToWebview, AskPhase, AskRoleView, AskScopeView, AskSourceView, AskStageView, AskTurnView, PanelAction, RuntimeView } from '../../src/protocol';
import { formatMs } from '../latency';
import { renderMarkdown } from '../markdown';
import { NO_CITATION_INSIDE, splitCitations } from './citations';
import { AskPersistedState, vscodeApi } from './vscodeApi';
import { actionButton, byTestId, el, pageWired } from '../dom';
import { renderRuntimeState } from '../runtimeHeader';

const RUNNING: ReadonlySet<AskPhase> = new Set(['retrieving', 'resolving', 'loading', 'waiting', 'streaming']);

const ui = {
  runtimeState: byTestId<HTMLSpanElement>('runtime-state'),
  emulatorBadge: byTestId<HTMLSpanElement>('emulator-badge'),
  models: byTestId<HTMLSpanElement>('ask-models'),
  empty: byTestId<HTMLParagraphElement>('ask-empty'),
  turns: byTestId<HTMLElement>('ask-turns'),
  form: byTestId<HTMLFormElement>('ask-form'),
  scope: byTestId<HTMLSelectElement>('ask-scope'),
  question: byTestId<HTMLTextAreaElement>('ask-question'),
  send: byTestId<HTMLButtonElement>('ask-send'),
  stop: byTestId<HTMLButtonElement>('ask-stop'),
  clear: byTestId<HTMLButtonElement>('ask-clear'),
  phase: byTestId<HTMLSpanElement>('ask-phase'),
  notice: byTestId<HTMLParagraphElement>('ask-notice'),
};

let runtime: RuntimeView = { status: 'checking', label: 'Checking…', emulated: false, loaded: [] };
let smallModel = '';
let largeModel = '';
let scope: AskScopeView = { kind: 'workspace', label: 'Whole workspace' };
let turns: AskTurnView[] = [];
/** The question of the last turn sent, put back in the box when that turn fails. */
let lastSent: { id?: number; question: string } | undefined;
const dirty = new Set<number>();
let frame = 0;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
/** Which <details> the user opened or closed, by turn and key: a re-render keeps them. */
const detailsOpen = new Map<string, boolean>();
/** The elements this script made to be clicked; a look-alike from model output is never acted on. */
const ours = new WeakSet<Element>();

const persisted: AskPersistedState = vscodeApi.getState() ?? {};
ui.question.value ||= persisted.draft ?? '';

function persist(patch: Partial<AskPersistedState>): void {
  Object.assign(persisted, patch);
  vscodeApi.setState(persisted);
}

// ---------------------------------------------------------------------------------------------------------------
// What the user does

ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
ui.question.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
ui.question.addEventListener('input', () => persist({ draft: ui.question.value }));
ui.stop.addEventListener('click', () => vscodeApi.postMessage({ type: 'stop' }));
ui.clear.addEventListener('click', () => vscodeApi.postMessage({ type: 'clear' }));
ui.scope.addEventListener('change', () => vscodeApi.postMessage({ type: 'setScope', kind: ui.scope.value as AskScopeView['kind'] }));

function send(): void {
  const question = ui.question.value;
  if (!question.trim()) return;
  lastSent = { question };
  vscodeApi.postMessage({ type: 'ask', question });
  ui.question.value = '';
  persist({ draft: '' });
}

document.body.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  if (!target) return;
  const mine = (selector: string) => {
    const el = target.closest<HTMLElement>(selector);
    return el && ours.has(el) ? el : undefined;
  };
  const cite = mine('[data-cite]');
  if (cite) {
    e.preventDefault();
    vscodeApi.postMessage({ type: 'openSource', turnId: Number(cite.dataset.turn), n: Number(cite.dataset.cite) });
    return;
  }
  const code = mine('button[data-code-action]');
  if (code) {
    vscodeApi.postMessage({ type: 'code', turnId: Number(code.dataset.turn), role: code.dataset.role as AskRoleView, index: Number(code.dataset.codeIndex), action: code.dataset.codeAction as 'copy' | 'insert' });
    return;
  }
  const retry = mine('button[data-retry]');
  if (retry) {
    const turn = turns.find((t) => t.id === Number(retry.dataset.retry));
    if (turn) {
      lastSent = { question: turn.question };
      vscodeApi.postMessage({ type: 'ask', question: turn.question });
    }
    return;
  }
  const action = mine('button[data-action]');
  if (action?.dataset.action) {
    vscodeApi.postMessage({ type: 'action', action: action.dataset.action as PanelAction });
    return;
  }
  // Links in model output carry data-href (markdown.ts); the host decides whether to open them.
  const link = target.closest<HTMLElement>('[data-href]');
  if (link?.dataset.href) {
    e.preventDefault();
    vscodeApi.postMessage({ type: 'openLink', href: link.dataset.href });
  }
});
document.body.addEventListener('toggle', (e) => {
  const d = e.target;
  if (d instanceof HTMLDetailsElement && d.dataset.key) detailsOpen.set(d.dataset.key, d.open);
}, true);

// ---------------------------------------------------------------------------------------------------------------
// What the host says

window.addEventListener('message', (event: MessageEvent<AskHostToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'askSnapshot':
      runtime = msg.snapshot.runtime;
      smallModel = msg.snapshot.smallModel;
      largeModel = msg.snapshot.largeModel;
      scope = msg.snapshot.scope;
      turns = msg.snapshot.turns;
      if (msg.snapshot.prefill) applyPrefill(msg.snapshot.prefill);
      renderRuntime();
      renderScope();
      renderAll();
      return;
    case 'askRuntime':
      runtime = msg.runtime;
      smallModel = msg.smallModel;
      largeModel = msg.largeModel;
      renderRuntime();
      return;
    case 'askScope':
      scope = msg.scope;
      renderScope();
      return;
    case 'askPrefill':
      applyPrefill(msg.prefill);
      return;
    case 'askTurn': {
      const i = turns.findIndex((t) => t.id === msg.turn.id);
      if (i >= 0) turns[i] = msg.turn;
      else {
        turns.push(msg.turn);
        if (lastSent && lastSent.id === undefined && lastSent.question.trim() === msg.turn.question) lastSent.id = msg.turn.id;
      }
      if (msg.turn.phase === 'failed' && lastSent?.id === msg.turn.id && !ui.question.value.trim()) {
        // Kept so it can be retried (or edited first).
        ui.question.value = msg.turn.question;
        persist({ draft: msg.turn.question });
      }
      renderTurnNow(msg.turn.id);
      return;
    }
    case 'askPhase': {
      const turn = turns.find((t) => t.id === msg.id);
      if (!turn) return;
      turn.phase = msg.phase;
      turn.phaseDetail = msg.detail;
      schedule(turn.id);
      return;
    }
    case 'askDelta': {
      const turn = turns.find((t) => t.id === msg.id);
      const stage = turn?.stages.find((s) => s.role === msg.role);
      if (!turn || !stage) return;
      stage.text += msg.text;
      if (turn.phase !== 'streaming') turn.phase = 'streaming';
      schedule(turn.id);
      return;
    }
    case 'askCleared':
      turns = [];
      detailsOpen.clear();
      renderAll();
      return;
    case 'askNotice':
      showNotice(msg.level, msg.message);
      return;
  }
});

vscodeApi.postMessage({ type: 'ready' });
pageWired();

function applyPrefill(prefill: { text: string; seq: number }): void {
  if ((persisted.prefillSeq ?? 0) >= prefill.seq && ui.question.value) return;
  ui.question.value = prefill.text;
  persist({ draft: prefill.text, prefillSeq: prefill.seq });
  ui.question.focus();
  ui.question.setSelectionRange(prefill.text.length, prefill.text.length);
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function renderRuntime(): void {
  renderRuntimeState(ui.runtimeState, runtime, false);
  ui.emulatorBadge.hidden = !(runtime.emulated || turns.some((t) => t.emulated));
  ui.models.textContent = smallModel ? `${smallModel} → ${largeModel}` : '';
  ui.models.title = smallModel ? `Answers come from ${smallModel}; a weak answer goes to ${largeModel} (Choose Models to change them)` : '';
}

function renderScope(): void {
  const folder = ui.scope.querySelector<HTMLOptionElement>('option[value=folder]')!;
  folder.textContent = scope.kind === 'folder' ? scope.label : 'A folder…';
  ui.scope.value = scope.kind;
  ui.scope.title = `Sources come from: ${scope.label}`;
}

function renderAll(): void {
  ui.turns.replaceChildren(...turns.map(turnElement));
  ui.empty.hidden = turns.length > 0;
  renderRuntime();
  renderComposer();
}

function schedule(id: number): void {
  dirty.add(id);
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    for (const d of [...dirty]) renderTurnNow(d);
    dirty.clear();
  });
}

function renderTurnNow(id: number): void {
  dirty.delete(id);
  const turn = turns.find((t) => t.id === id);
  if (!turn) return;
  const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  const old = ui.turns.querySelector(`[data-turn-id="${id}"]`);
  const fresh = turnElement(turn);
  if (old) old.replaceWith(fresh);
  else ui.turns.append(fresh);
  ui.empty.hidden = true;
  renderRuntime();
  renderComposer();
  // A new question, or the reader was following the end: keep the end in view.
  if (atBottom || !old) window.scrollTo(0, document.body.scrollHeight);
}

function renderComposer(): void {
  const running = turns.find((t) => RUNNING.has(t.phase));
  ui.stop.disabled = !running;
  ui.phase.textContent = running ? phaseText(running) : '';
  ui.phase.dataset.phase = running?.phase ?? 'idle';
}

function phaseText(t: AskTurnView): string {
  const model = t.phaseDetail ?? '';
  switch (t.phase) {
    case 'retrieving':
      return 'retrieving sources from the index…';
    case 'resolving':
      return `finding ${model || 'the model'}…`;
    case 'loading':
      return `loading ${model || 'the model'} — a first load can take minutes…`;
    case 'waiting':
      return `waiting for the first token${model ? ` from ${model}` : ''}…`;
    case 'streaming':
      return `answering${model ? ` (${model})` : ''}…`;
    case 'stopped':
      return 'stopped — what streamed is kept';
    case 'failed':
      return 'failed';
    case 'done':
      return '';
  }
}

function answerStage(t: AskTurnView): AskStageView | undefined {
  return t.stages.find((s) => s.role === t.answerRole) ?? (t.answerRole ? undefined : t.stages[t.stages.length - 1]);
}

function turnElement(t: AskTurnView): HTMLElement {
  const article = el('article', { className: 'turn', testid: 'ask-turn' });
  article.dataset.turnId = String(t.id);
  article.dataset.phase = t.phase;
  article.append(el('div', { className: 'question', testid: 'ask-turn-question', text: t.question }));
  const when = new Date(t.askedAt);
  article.append(el('p', { className: 'turn-meta hint', text: `${t.scope} · ${Number.isNaN(when.getTime()) ? '' : when.toLocaleString()}` }));
  if (RUNNING.has(t.phase) || t.phase === 'stopped') {
    const phase = el('p', { className: 'turn-phase', testid: 'ask-turn-phase', text: phaseText(t) });
    phase.dataset.phase = t.phase;
    article.append(phase);
  }
  if (t.fallback) article.append(el('p', { className: 'fallback', testid: 'ask-fallback', text: t.fallback.summary, title: t.fallback.reasons.map((r) => `${r.rule}: ${r.detail}`).join('\n') }));

  const answer = answerStage(t);
  if (answer) {
    const box = el('div', { className: `answer markdown${answer.state === 'running' ? ' streaming' : ''}`, testid: 'ask-answer' });
    box.dataset.role = answer.role;
    fillAnswer(box, t, answer);
    article.append(el('p', { className: 'answer-by hint', text: `${answer.role === 'large' ? 'Large' : 'Small'} model · ${answer.variant ?? answer.model}` }), box);
  } else if (RUNNING.has(t.phase) && t.answerRole === 'large') {
    article.append(el('p', { className: 'hint', text: `Waiting for ${largeModel || 'the large model'}…` }));
  }
  if (t.phase === 'stopped') article.append(el('p', { className: 'stopped-note', testid: 'ask-stopped', text: answer?.text ? 'Stopped — the part streamed so far is kept above.' : 'Stopped before any answer streamed.' }));

  // The other answer (the small model's, when the large one answered), collapsed.
  for (const stage of t.stages) {
    if (stage === answer) continue;
    const d = details(`${t.id}:other:${stage.role}`, false, `${stage.role === 'small' ? "The small model's answer" : "The large model's answer"} (${stage.variant ?? stage.model})${stage.state === 'failed' ? ' — failed' : ''}`);
    d.dataset.testid = `ask-${stage.role}-answer`;
    const box = el('div', { className: 'answer markdown' });
    box.dataset.role = stage.role;
    fillAnswer(box, t, stage);
    d.append(box);
    article.append(d);
  }

  for (const stage of t.stages) if (stage.error && stage.error.message !== t.error?.message) article.append(errorBox(stage.error, `${stage.role === 'small' ? 'The small' : 'The large'} model failed: `));
  if (t.error) {
    const box = errorBox(t.error, '');
    box.dataset.testid = 'ask-error';
    const retry = el('button', { className: 'secondary small', text: 'Retry' });
    retry.type = 'button';
    retry.dataset.retry = String(t.id);
    ours.add(retry);
    box.querySelector('.error-actions')!.append(retry);
    article.append(box);
  }

  if (t.sources.length || t.phase !== 'retrieving') article.append(sourcesElement(t));
  article.append(breakdownElement(t));
  return article;
}

function details(key: string, defaultOpen: boolean, summary: string): HTMLDetailsElement {
  const d = el('details', {}, el('summary', { text: summary }));
  d.dataset.key = key;
  d.open = detailsOpen.get(key) ?? defaultOpen;
  return d;
}

/** The stage's text as sanitized markdown, its [n] as links to the sources, its code blocks with Copy and Insert. */
function fillAnswer(box: HTMLElement, t: AskTurnView, stage: AskStageView): void {
  if (!stage.text) {
    if (stage.state !== 'running') box.append(el('p', { className: 'empty', text: stage.state === 'failed' ? 'No answer.' : 'Empty answer.' }));
    return;
  }
  box.append(renderMarkdown(stage.text));
  linkCitations(box, t);
  if (stage.state === 'running') return;
  box.querySelectorAll('pre').forEach((pre, index) => {
    const bar = el('div', { className: 'code-actions' });
    for (const [action, label] of [['copy', 'Copy'], ['insert', 'Insert']] as const) {
      const b = el('button', { className: 'secondary small', text: label, title: action === 'copy' ? 'Copy this code' : "Insert this code at the active editor's cursor" });
      b.type = 'button';
      b.dataset.codeAction = action;
      b.dataset.codeIndex = String(index);
      b.dataset.role = stage.role;
      b.dataset.turn = String(t.id);
      b.dataset.testid = `ask-code-${action}`;
      ours.add(b);
      bar.append(b);
    }
    pre.before(bar);
  });
}

function linkCitations(root: HTMLElement, t: AskTurnView): void {
  const byN = new Map(t.sources.map((s) => [s.n, s]));
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = (n as Text).parentElement;
    if (parent && !parent.closest(NO_CITATION_INSIDE.join(','))) nodes.push(n as Text);
  }
  for (const node of nodes) {
    const parts = splitCitations(node.data, (n) => byN.has(n));
    if (!parts.some((p) => p.kind === 'cite')) continue;
    const frag = document.createDocumentFragment();
    for (const p of parts) {
      if (p.kind === 'text') frag.append(p.text);
      else for (const n of p.numbers) frag.append(citationLink(t.id, byN.get(n)!));
    }
    node.replaceWith(frag);
  }
}

function citationLink(turnId: number, s: AskSourceView): HTMLElement {
  const a = el('a', { className: 'citation', testid: 'ask-citation', title: `Open ${s.label} (source ${s.n})` }, el('span', { className: 'cite-n', text: String(s.n) }), el('span', { className: 'cite-label', text: s.label }));
  a.dataset.cite = String(s.n);
  a.dataset.turn = String(turnId);
  a.setAttribute('role', 'link');
  a.tabIndex = 0;
  ours.add(a);
  return a;
}

function sourcesElement(t: AskTurnView): HTMLElement {
  const cited = t.sources.filter((s) => s.cited).length;
  const d = details(`${t.id}:sources`, true, t.sources.length ? `Sources — ${t.sources.length} retrieved, ${cited} cited` : 'Sources — none matched the question');
  d.dataset.testid = 'ask-sources';
  d.className = 'sources';
  const list = el('ol');
  for (const s of t.sources) {
    const li = el('li', { testid: 'ask-source' });
    li.dataset.n = String(s.n);
    li.dataset.cited = String(s.cited);
    const link = el('a', { className: 'source-link', text: s.label, title: `Open ${s.label}` });
    link.dataset.cite = String(s.n);
    link.dataset.turn = String(t.id);
    link.setAttribute('role', 'link');
    link.tabIndex = 0;
    ours.add(link);
    li.append(el('span', { className: 'cite-n', text: String(s.n) }), link, el('span', { className: 'hint', text: ` score ${s.score}${s.cited ? ' · cited' : ''}` }));
    list.append(li);
  }
  d.append(list);
  return d;
}

function breakdownElement(t: AskTurnView): HTMLElement {
  const table = el('table', { className: 'metrics compact breakdown', testid: 'ask-breakdown' });
  const head = el('tr', {}, ...['Stage', 'Load', 'Prompt tokens', 'TTFT', 'Generation'].map((h) => el('th', { text: h })));
  const body = el('tbody');
  const retrieval = el('tr', {}, el('td', { text: 'Retrieval' }), cell('retrievalMs', t.retrievalMs !== undefined ? `${formatMs(t.retrievalMs)} · ${t.sources.length} sources` : RUNNING.has(t.phase) ? '…' : 'n/a'));
  retrieval.lastElementChild!.setAttribute('colspan', '4');
  retrieval.dataset.stage = 'retrieval';
  body.append(retrieval);
  for (const s of t.stages) {
    const row = el(
      'tr',
      { title: s.variant ?? s.model },
      el('td', { text: `${s.role === 'small' ? 'Small' : 'Large'} · ${s.model}` }),
      cell('loadMs', s.loadMs !== undefined ? formatMs(s.loadMs) : '—'),
      cell('promptTokens', s.promptTokens !== undefined ? String(s.promptTokens) : s.state === 'running' ? '…' : 'n/a'),
      cell('ttftMs', s.ttftMs !== undefined ? formatMs(s.ttftMs) : s.state === 'running' ? '…' : 'n/a'),
      cell('generationMs', s.generationMs !== undefined ? formatMs(s.generationMs) : s.state === 'running' ? '…' : 'n/a'),
    );
    row.dataset.stage = s.role;
    body.append(row);
  }
  table.append(el('thead', {}, head), body);
  const d = details(`${t.id}:breakdown`, true, 'Breakdown');
  d.className = 'breakdown-details';
  d.dataset.testid = 'ask-breakdown-details';
  d.append(table);
  return d;
}

function cell(metric: string, text: string): HTMLTableCellElement {
  const td = el('td', { text });
  td.dataset.metric = metric;
  return td;
}

function errorBox(e: { message: string; actions: { title: string; action: PanelAction }[] }, prefix: string): HTMLDivElement {
  const box = el('div', { className: 'error' });
  box.setAttribute('role', 'alert');
  const actions = el('div', { className: 'error-actions' });
  e.actions.forEach((a, i) => {
    const b = actionButton(a.title, a.action, i > 0);
    ours.add(b);
    actions.append(b);
  });
  box.append(el('p', { className: 'error-message', text: `${prefix}${e.message}` }), actions);
  return box;
}

function showNotice(level: 'info' | 'error', message: string): void {
  ui.notice.hidden = false;
  ui.notice.textContent = message;
  ui.notice.dataset.level = level;
  if (noticeTimer) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (ui.notice.hidden = true), level === 'error' ? 15000 : 5000);
}
