import { LabError } from './errors';
import type { Endpoint, EndpointSource } from './types';

/**
 * Parses a user-given base URL: `http://127.0.0.1:5273`, `…/`, `…/v1`, `…/v1/` all mean the same service. A path
 * prefix other than /v1 (a reverse proxy) is kept.
 */
export function parseEndpointUrl(raw: string, source: EndpointSource): Endpoint {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new LabError('invalid-endpoint', `'${raw}' is not a URL. Use the runtime's base URL, e.g. http://127.0.0.1:5273 (with or without /v1).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LabError('invalid-endpoint', `'${raw}' is not an http(s) URL. Use the runtime's base URL, e.g. http://127.0.0.1:5273.`);
  }
  if (url.username || url.password) throw new LabError('invalid-endpoint', 'Put no credentials in the endpoint URL.');
  let path = url.pathname.replace(/\/+$/, '');
  if (/\/v1$/i.test(path)) path = path.slice(0, -3);
  const serviceUrl = `${url.protocol}//${url.host}${path}`;
  return { serviceUrl, openaiBaseUrl: `${serviceUrl}/v1`, source, isLoopback: isLoopbackHost(url.hostname) };
}

/** 127.0.0.0/8, ::1 and localhost: requests to these never leave the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped loopback, as written (::ffff:127.0.0.1) and as URL normalizes it (::ffff:7f00:1).
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
