import type { PanelAction } from '../src/protocol';

/** Small DOM helpers: text goes in through textContent only (model output is never parsed as HTML here). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string; testid?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  if (props.testid) node.dataset.testid = props.testid;
  node.append(...children);
  return node;
}

export function button(text: string, opts: { secondary?: boolean; small?: boolean; testid?: string; title?: string } = {}): HTMLButtonElement {
  const b = el('button', { className: [opts.secondary ? 'secondary' : '', opts.small ? 'small' : ''].filter(Boolean).join(' '), text, testid: opts.testid, title: opts.title });
  b.type = 'button';
  return b;
}

/**
 * Called last by a page's script, once its listeners are attached: the inputs the static page ships disabled
 * (`data-until-wired`) — typing into them earlier would be lost or overwritten by the restored draft — are enabled,
 * and the body says `data-wired="true"`.
 */
export function pageWired(): void {
  document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLButtonElement>('[data-until-wired]').forEach((node) => {
    node.disabled = false;
    node.removeAttribute('data-until-wired');
  });
  document.body.dataset.wired = 'true';
}

export function byTestId<T extends HTMLElement>(id: string, root: ParentNode = document): T {
  const node = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!node) throw new Error(`The page has no [data-testid=${id}]`);
  return node;
}

/** A table with a header row and body rows of text cells. */
export function table(headers: string[], rows: (string | Node)[][], opts: { className?: string; testid?: string } = {}): HTMLTableElement {
  const t = el('table', { className: `data-table ${opts.className ?? ''}`.trim(), testid: opts.testid });
  const head = el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { text: h }))));
  const body = el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => (typeof c === 'string' ? el('td', { text: c }) : el('td', {}, c))))));
  t.append(head, body);
  return t;
}

/** A button that asks the host to run one of the listed commands (the page's click handler posts `data-action`). */
export function actionButton(title: string, action: PanelAction, secondary = false): HTMLButtonElement {
  const b = button(title, { small: true, secondary });
  b.dataset.action = action;
  return b;
}
