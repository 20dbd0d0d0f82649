/** Renders a comparison's results (host-built view model) into the results section. */
import type { CompareExportFormat, CompareResultView, ModelResultView, PanelAction, ResponseCell, ResponseGroup } from '../../src/protocol';
import { renderMarkdown } from '../markdown';
import { ChartTargets, renderCharts } from './charts';
import { button, el, table } from '../dom';

export interface ResultHandlers {
  exportRun(format: CompareExportFormat, target: 'dialog' | 'workspace'): void;
  action(action: PanelAction): void;
  exportFormat: CompareExportFormat;
  onExportFormat(format: CompareExportFormat): void;
}

let lastCharts: { data: CompareResultView['charts']; targets: ChartTargets } | undefined;

/** Draws the charts again (the theme changed). */
export function redrawCharts(): void {
  if (lastCharts && lastCharts.targets.ttft.isConnected) renderCharts(lastCharts.data, lastCharts.targets);
}

export function renderResult(section: HTMLElement, view: CompareResultView | undefined, h: ResultHandlers): void {
  if (!view) {
    section.hidden = true;
    section.replaceChildren();
    lastCharts = undefined;
    return;
  }
  section.hidden = false;
  section.dataset.runId = view.id;
  const chartBoxes = charts();
  section.replaceChildren(
    header(view, h),
    el('h2', { text: 'Per model' }),
    el('div', { className: 'model-results', testid: 'model-results' }, ...view.models.map((m) => modelCard(m, view, h))),
    el('h2', { text: 'Charts' }),
    chartBoxes.node,
    el('h2', { text: 'Verdict' }),
    verdicts(view),
    ...quality(view),
    el('h2', {}, 'Cost ', el('span', { className: 'badge simulation', text: 'SIMULATION' })),
    cost(view),
    el('h2', { text: 'Responses side by side' }),
    el('div', { className: 'responses', testid: 'responses' }, ...view.responses.map(responseGroup)),
  );
  lastCharts = { data: view.charts, targets: chartBoxes.targets };
  renderCharts(view.charts, chartBoxes.targets);
}

function header(view: CompareResultView, h: ResultHandlers): HTMLElement {
  const badges: HTMLElement[] = [];
  if (view.emulated) badges.push(el('span', { className: 'badge emulator', text: 'EMULATOR', testid: 'result-emulator', title: 'These figures come from the test emulator, not from a model' }));
  if (view.cancelled) badges.push(el('span', { className: 'badge warning', text: 'CANCELLED — partial results' }));
  const format = el('select', { testid: 'export-format' });
  for (const [value, label] of [['md', 'Markdown report'], ['json', 'JSON (every raw timestamp)'], ['csv', 'CSV (one row per request)']] as const) {
    const o = el('option', { text: label });
    o.value = value;
    format.append(o);
  }
  format.value = h.exportFormat;
  format.addEventListener('change', () => h.onExportFormat(format.value as CompareExportFormat));
  const toWorkspace = button('Save to workspace', { small: true, testid: 'export-workspace', title: 'Write it under foundry-lab-reports/ in the workspace and open it' });
  toWorkspace.addEventListener('click', () => h.exportRun(format.value as CompareExportFormat, 'workspace'));
  const saveAs = button('Save as…', { small: true, secondary: true, testid: 'export-dialog' });
  saveAs.addEventListener('click', () => h.exportRun(format.value as CompareExportFormat, 'dialog'));
  const node = el(
    'div',
    { className: 'result-header' },
    el('h2', { className: 'result-title', testid: 'result-title' }, view.title, ' ', ...badges),
    el('p', { className: 'hint', text: `${new Date(view.startedAt).toLocaleString()} · ${view.origin}` }),
    el('p', { className: 'result-line', text: view.settingsLine }),
    el('p', { className: 'result-line hint', text: view.runtimeLine }),
    el('p', { className: 'result-line hint', text: view.hostLine }),
    el('div', { className: 'controls export' }, el('span', { text: 'Export:' }), format, toWorkspace, saveAs),
  );
  if (view.error) {
    const actions = view.error.actions.map((a, i) => {
      const b = button(a.title, { small: true, secondary: i > 0 });
      b.addEventListener('click', () => h.action(a.action));
      return b;
    });
    node.append(el('div', { className: 'error', testid: 'result-error' }, el('p', { className: 'error-message', text: view.error.message }), el('div', { className: 'error-actions' }, ...actions)));
  }
  return node;
}

function modelCard(m: ModelResultView, view: CompareResultView, h: ResultHandlers): HTMLElement {
  const card = el('article', { className: 'model-card', testid: 'model-result' });
  card.dataset.model = m.requested;
  const title = el('h3', {}, m.requested);
  if (m.device) title.append(' ', el('span', { className: 'badge device', text: m.device }));
  if (view.emulated) title.append(' ', el('span', { className: 'badge emulator', text: 'EMULATED' }));
  card.append(title);
  if (m.variantId) card.append(el('p', { className: 'hint variant', text: `${m.variantId}${m.executionProvider ? ` · ${m.executionProvider}` : ''}` }));
  if (m.error) card.append(el('p', { className: 'model-error', testid: 'model-error', text: `Not measured further: ${m.error}` }));
  if (m.error || m.errors.length) {
    if (m.errors.length) card.append(el('ul', { className: 'model-errors', testid: 'model-errors' }, ...m.errors.map((e) => el('li', { text: `${e.count} × ${e.message}` }))));
    // Each request's error is in the log with its details (status, body, URL).
    const logs = button('Open Logs', { small: true, secondary: true, testid: 'model-error-logs' });
    logs.addEventListener('click', () => h.action('foundryLab.showLogs'));
    card.append(el('div', { className: 'error-actions' }, logs));
  }
  const stats = el('table', { className: 'data-table stats', testid: 'model-table' });
  stats.append(el('thead', {}, el('tr', {}, ...['Warm runs', 'p50', 'p90', 'p95', 'p99', 'min', 'max', 'stddev', 'n'].map((x) => el('th', { text: x })))));
  const body = el('tbody');
  for (const row of m.warm) {
    const c = row.cells;
    const tr = el('tr', {}, el('td', { text: `${row.label} (${row.unit})` }), ...(c ? [c.p50, c.p90, c.p95, c.p99, c.min, c.max, c.stddev, String(c.n)] : ['n/a', '', '', '', '', '', '', '0']).map((v) => el('td', { text: v })));
    tr.dataset.metric = row.key;
    body.append(tr);
  }
  stats.append(body);
  card.append(stats);
  if (m.cold.length) {
    const cold = el('table', { className: 'data-table facts cold', testid: 'model-cold' });
    cold.append(el('tbody', {}, ...m.cold.map((c) => factRow(c.key, c.label, c.value))));
    card.append(el('h4', { text: 'Cold start' }), cold);
  }
  const facts = el('table', { className: 'data-table facts', testid: 'model-facts' });
  facts.append(
    el(
      'tbody',
      {},
      ...m.facts.map((f) => {
        const row = factRow(f.key, f.label, f.value);
        if (m.tokensEstimated && (f.key === 'promptTokens' || f.key === 'completionTokens')) {
          row.lastElementChild!.append(' ', el('span', { className: 'badge warning', text: 'estimated', title: 'The runtime reported no usage and could not count: estimated from the text' }));
        }
        return row;
      }),
    ),
  );
  card.append(el('h4', { text: 'Tokens, load and memory' }), facts);
  return card;
}

function factRow(key: string, label: string, value: string): HTMLTableRowElement {
  const tr = el('tr', {}, el('td', { text: label }), el('td', { text: value }));
  tr.dataset.fact = key;
  return tr;
}

function charts(): { node: HTMLElement; targets: ChartTargets } {
  const box = (testid: string, title: string, caption: string) => {
    const canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${title}. ${caption}`);
    const card = el('figure', { className: 'chart-card', testid }, el('figcaption', {}, el('strong', { text: title }), el('span', { className: 'hint', text: ` — ${caption}` })), el('div', { className: 'chart-box' }, canvas));
    return { card, canvas };
  };
  const ttft = box('chart-ttft', 'Time to first token', 'every warm request a dot, the median a bar');
  const decode = box('chart-decode', 'Decode rate', 'tokens per second after the first token; every warm request a dot, the median a bar');
  const timeline = box('chart-timeline', 'Token timeline', 'cumulative tokens over time, one line per request (from the raw chunk arrival times)');
  const coldWarm = box('chart-coldwarm', 'Cold vs warm', 'first-token latency: load + first token when cold, median when warm');
  return {
    node: el('div', { className: 'charts', testid: 'charts' }, ttft.card, decode.card, timeline.card, coldWarm.card),
    targets: { ttft: ttft.canvas, decode: decode.canvas, timeline: timeline.canvas, coldWarm: coldWarm.canvas },
  };
}

function verdicts(view: CompareResultView): HTMLElement {
  return el(
    'div',
    { className: 'verdicts', testid: 'verdicts' },
    ...view.verdicts.map((v) => {
      const rows: [string, string][] = [
        ['Latency (cold)', v.coldLatency],
        ['Memory', v.memory],
        ['Context adherence', v.contextAdherence],
        ['Cost (local)', v.cost],
        ['Best use', v.bestUse],
      ];
      const card = el('article', { className: 'verdict', testid: 'verdict' }, el('h3', { text: v.model }));
      if (v.variantId) card.append(el('p', { className: 'hint variant', text: v.variantId }));
      card.append(el('dl', {}, ...rows.flatMap(([k, val]) => [el('dt', { text: k }), el('dd', { text: val })])));
      card.dataset.model = v.model;
      return card;
    }),
  );
}

function quality(view: CompareResultView): HTMLElement[] {
  const q = view.quality;
  if (!q) return [];
  const rows = q.rows.map((r) => [r.model, r.coherence, r.factuality, r.conciseness, r.overall, r.referenceMatch, `${r.judged}${r.judgeErrors ? ` (${r.judgeErrors} judge error${r.judgeErrors === 1 ? '' : 's'} — see below)` : ''}`]);
  const list = el(
    'div',
    { className: 'judgements' },
    ...q.judgements.map((j) =>
      el('p', { className: j.error ? 'judgement failed' : 'judgement' }, el('strong', { text: `${j.model} · ${j.promptId}: ` }), j.error ? `judge failed — ${j.error}` : `${j.scores}${j.referenceMatch !== 'n/a' ? ` · reference match ${j.referenceMatch}` : ''} — “${j.reason}” (judge time ${j.judgeTime}, not counted in the figures)`),
    ),
  );
  return [
    el('h2', { text: `Quality — judged by ${q.judge}` }),
    table(['Model', 'Coherence', 'Factuality', 'Conciseness', 'Overall', 'Reference match', 'Judged'], rows, { testid: 'quality' }),
    el('details', { className: 'judgement-details' }, el('summary', { text: 'Each judgement with its reason' }), list),
  ];
}

function cost(view: CompareResultView): HTMLElement {
  const c = view.cost;
  return el(
    'div',
    { className: 'cost', testid: 'cost' },
    el('p', { className: 'notice', text: c.note }),
    table(['Model', 'Tokens', ...c.priceNames.map((n) => `${n} (simulated)`), 'Local energy (simulated)'], c.rows.map((r) => [r.model, r.tokens, ...r.cloud, r.local])),
  );
}

function responseGroup(g: ResponseGroup): HTMLElement {
  const head = el('div', { className: 'prompt-head' }, el('strong', { text: g.promptId }), el('p', { className: 'prompt-text', text: g.prompt }));
  if (g.reference) head.append(el('p', { className: 'hint', text: `Reference: ${g.reference}` }));
  return el(
    'section',
    { className: 'response-group', testid: 'response-group' },
    head,
    el(
      'div',
      { className: 'response-columns' },
      ...g.columns.map((col) => {
        const column = el('div', { className: 'response-column' }, el('h4', { text: col.model }));
        column.dataset.model = col.model;
        if (col.first) column.append(responseCell(col.first));
        else column.append(el('p', { className: 'empty', text: 'No response (not run or cancelled).' }));
        if (col.more.length) column.append(el('details', { className: 'more-runs' }, el('summary', { text: `${col.more.length} more run${col.more.length === 1 ? '' : 's'}` }), ...col.more.map(responseCell)));
        return column;
      }),
    ),
  );
}

function responseCell(c: ResponseCell): HTMLElement {
  const cell = el('div', { className: 'response' }, el('p', { className: 'hint', text: `${c.run}${c.variantId ? ` · ${c.variantId}` : ''}${c.figures ? ` · ${c.figures}` : ''}${c.finishReason && c.finishReason !== 'stop' ? ` · finish: ${c.finishReason}` : ''}` }));
  if (c.error) cell.append(el('p', { className: 'model-error', text: c.error }));
  if (c.reasoning) cell.append(el('details', { className: 'reasoning' }, el('summary', { text: `Reasoning (${c.reasoning.length} characters, kept apart)` }), el('pre', { text: c.reasoning })));
  if (c.text) {
    const answer = el('div', { className: 'answer markdown' });
    answer.append(renderMarkdown(c.text));
    cell.append(answer);
  } else if (!c.error) {
    const why = c.finishReason === 'length' ? ' — the max tokens ran out' + (c.reasoning ? ' while it was still reasoning' : '') : '';
    cell.append(el('p', { className: 'empty', text: `No answer text${why}.` }));
  }
  return cell;
}
