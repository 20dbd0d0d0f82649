/**
 * How the runtime's state is put into words for the status bar, the status notification and the panel — one
 * wording everywhere. No VS Code API here, so it can be unit-tested.
 */
import { RUNTIME_NAMES, SOURCE_NAMES } from '../core/runtime/names';
import type { DiscoveryResult, ModelVariant } from '../core/runtime/types';
import type { ModelOption, RuntimeView } from '../protocol';

/** What the runtime service knows: the last discovery (undefined while the first one runs) and the model list. */
export interface RuntimeSnapshot {
  discovery?: DiscoveryResult;
  /** True while a discovery is running. */
  checking: boolean;
  models: ModelVariant[];
  loaded: string[];
}

export { RUNTIME_NAMES, SOURCE_NAMES };

export function runtimeView(s: RuntimeSnapshot): RuntimeView {
  const d = s.discovery;
  if (!d) return { status: 'checking', label: 'Checking…', emulated: false, loaded: [] };
  switch (d.state) {
    case 'found':
      return {
        status: 'found',
        label: 'Connected',
        endpoint: d.endpoint.serviceUrl,
        source: SOURCE_NAMES[d.endpoint.source],
        runtime: RUNTIME_NAMES[d.runtime],
        emulated: d.emulated,
        remoteHost: d.endpoint.isLoopback ? undefined : hostOf(d.endpoint.serviceUrl),
        loaded: s.loaded,
      };
    case 'not-installed':
      return { status: 'not-installed', label: 'Not installed', emulated: false, loaded: [], detail: d.detail };
    case 'stopped':
      return { status: 'stopped', label: 'Not running', emulated: false, loaded: [], detail: d.detail };
    case 'unreachable':
      return { status: 'unreachable', label: 'Unreachable', endpoint: d.url, source: SOURCE_NAMES[d.source], emulated: false, loaded: [], detail: d.detail };
  }
}

/** The status bar item's text: state and the chosen small · large models. */
export function statusBarText(s: RuntimeSnapshot, small: string, large: string): string {
  const d = s.discovery;
  if (!d || (s.checking && d.state !== 'found')) return '$(sync~spin) Foundry: checking…';
  switch (d.state) {
    case 'found':
      return d.emulated ? `$(beaker) Foundry (emulator): ${small} · ${large}` : `$(pulse) Foundry: ${small} · ${large}`;
    case 'stopped':
      return '$(debug-disconnect) Foundry: not running';
    case 'not-installed':
      return '$(circle-slash) Foundry: not installed';
    case 'unreachable':
      return '$(warning) Foundry: unreachable';
  }
}

/** The status bar tooltip (Markdown): endpoint, how it was found, generation, loaded and chosen models. */
export function statusBarTooltip(s: RuntimeSnapshot, small: string, large: string): string {
  const v = runtimeView(s);
  const lines = [`**Foundry Local Lab** — ${v.label}${v.emulated ? ' — **EMULATOR** (answers come from the test emulator, not a model)' : ''}`, ''];
  if (v.endpoint) lines.push(`Endpoint: \`${v.endpoint}\`${v.source ? ` (from ${v.source})` : ''}`, '');
  if (v.runtime) lines.push(`Runtime: ${v.runtime}`, '');
  if (v.remoteHost) lines.push(`Prompts are sent to **${v.remoteHost}** (not this machine)`, '');
  if (v.status === 'found') lines.push(`Loaded: ${v.loaded.length ? v.loaded.map((m) => `\`${m}\``).join(', ') : 'none'}`, '');
  if (v.detail) lines.push(v.detail, '');
  lines.push(`Models: small \`${small}\` · large \`${large}\``, '', 'Click for actions');
  return lines.join('\n');
}

/** One line for the status notification. */
export function statusMessage(s: RuntimeSnapshot): string {
  const v = runtimeView(s);
  const d = s.discovery;
  if (!d) return 'Foundry Local Lab: checking the runtime…';
  switch (v.status) {
    case 'found': {
      const parts = [`${v.emulated ? 'EMULATOR — ' : ''}Connected to ${v.endpoint} (found via ${v.source})`, v.runtime ?? ''];
      parts.push(v.loaded.length ? `loaded: ${v.loaded.join(', ')}` : 'no model loaded');
      if (v.remoteHost) parts.push(`prompts are sent to ${v.remoteHost}`);
      return parts.filter(Boolean).join(' · ');
    }
    case 'stopped':
      return `Foundry Local is installed but not running. ${v.detail ?? ''}`.trim();
    case 'not-installed':
      return `Foundry Local was not found and no endpoint is set. ${v.detail ?? ''}`.trim();
    case 'unreachable':
      return `Cannot reach ${v.endpoint} (from ${v.source}). ${v.detail ?? ''}`.trim();
    default:
      return 'Foundry Local Lab: checking the runtime…';
  }
}

/** Variants grouped by alias, in the runtime's order; variants without an alias each form their own group. */
export function groupByAlias(models: ModelVariant[]): { alias?: string; variants: ModelVariant[] }[] {
  const groups: { alias?: string; variants: ModelVariant[] }[] = [];
  const byAlias = new Map<string, { alias?: string; variants: ModelVariant[] }>();
  for (const m of models) {
    const key = m.alias ?? `\u0000${m.id}`;
    let g = byAlias.get(key);
    if (!g) {
      g = { alias: m.alias, variants: [] };
      byAlias.set(key, g);
      groups.push(g);
    }
    g.variants.push(m);
  }
  return groups;
}

export function describeVariant(m: ModelVariant): string {
  return [m.device, m.executionProvider, m.fileSizeMb !== undefined ? formatSize(m.fileSizeMb) : undefined].filter(Boolean).join(' · ');
}

export function formatSize(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}

/** The panel's model <select>: the configured small/large first, then every alias with its variants. */
export function modelOptions(models: ModelVariant[], small: string, large: string): ModelOption[] {
  const options: ModelOption[] = [
    { value: small, label: `${small} (small)`, group: 'Chosen models' },
    { value: large, label: `${large} (large)`, group: 'Chosen models' },
  ];
  for (const g of groupByAlias(models)) {
    const group = g.alias ?? 'Other models';
    if (g.alias) options.push({ value: g.alias, label: `${g.alias} (best variant)`, group });
    for (const v of g.variants) options.push({ value: v.id, label: `${v.id} — ${describeVariant(v)}`, group });
  }
  return options;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
