import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: true });

// Model output is untrusted: only plain document markup survives; no forms, frames, styles or images (the CSP
// would block remote images anyway, and a broken image tells the reader nothing).
const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'video', 'audio', 'source', 'picture'],
  FORBID_ATTR: ['style', 'target', 'srcset', 'action', 'formaction'],
};

// Links are never followed inside the webview: the URL moves to data-href and a click asks the host to open it.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  const href = node.getAttribute('href');
  node.removeAttribute('href');
  if (!href) return;
  node.setAttribute('data-href', href);
  node.setAttribute('title', href);
  node.setAttribute('role', 'link');
  node.setAttribute('tabindex', '0');
});

/** Markdown → sanitized DOM, ready to insert. */
export function renderMarkdown(text: string): DocumentFragment {
  const html = marked.parse(text, { async: false }) as string;
  return DOMPurify.sanitize(html, { ...PURIFY_CONFIG, RETURN_DOM_FRAGMENT: true });
}
