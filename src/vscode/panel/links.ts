/**
 * Links in model output are never followed inside the webview; the webview asks the host, and the host opens only
 * plain http(s) URLs (no javascript:, file:, command: or vscode: links, no credentials in the URL).
 */
export function openableLink(href: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url;
}
