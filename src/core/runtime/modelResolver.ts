import { LabError } from './errors';
import type { DeviceType, ModelVariant, ResolvedModel } from './types';

const VARIANT_SUFFIX = /-(?:generic|cuda|trtrtx|tensorrt|openvino|qnn|vitis|webgpu|dml|directml)-(?:cpu|gpu|npu)$/i;

/** `Phi-4-mini-instruct-generic-cpu:5` → `phi-4-mini`: the alias when a runtime lists ids only (G3's /v1/models). */
export function aliasFromId(id: string): string {
  return stripVersion(id).toLowerCase().replace(VARIANT_SUFFIX, '').replace(/-instruct$/, '');
}

/** The device named by a Foundry Local variant id's suffix (`-cpu`, `-gpu`, `-npu`). */
export function deviceFromId(id: string): DeviceType {
  const m = /-(cpu|gpu|npu)$/i.exec(stripVersion(id));
  return m ? (m[1].toUpperCase() as DeviceType) : 'unknown';
}

export function stripVersion(id: string): string {
  return id.replace(/:\d+$/, '');
}

function versionOf(id: string): number {
  const m = /:(\d+)$/.exec(id);
  return m ? Number(m[1]) : -1;
}

/** Whether two ids name the same variant, ignoring case and a missing `:version` (G1 lists ids without it). */
export function sameModelId(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || stripVersion(x) === y || x === stripVersion(y);
}

/**
 * Alias or id → one variant, the way Foundry Local's SDK does it: exact id → id without version (highest version
 * wins) → alias (the runtime lists variants in its order of preference; a downloaded one is preferred), optionally
 * for one device.
 */
export function resolveModelName(models: readonly ModelVariant[], requested: string, device?: DeviceType): ResolvedModel {
  const name = requested.trim();
  const lower = name.toLowerCase();
  const done = (m: ModelVariant): ResolvedModel => ({ ...m, requested: name });
  const exact = models.find((m) => m.id.toLowerCase() === lower);
  if (exact) return done(exact);
  const versions = models.filter((m) => stripVersion(m.id).toLowerCase() === lower).sort((a, b) => versionOf(b.id) - versionOf(a.id));
  if (versions.length) return done(versions[0]);
  // A versioned id asked of a runtime that lists ids without versions (G1 /openai/models, CLI 0.10 /v1/models).
  const unversioned = stripVersion(lower) !== lower ? models.find((m) => m.id.toLowerCase() === stripVersion(lower)) : undefined;
  if (unversioned) return done(unversioned);
  const allOfAlias = models.filter((m) => (m.alias ?? '').toLowerCase() === lower);
  const byAlias = device && device !== 'unknown' ? allOfAlias.filter((m) => m.device === device) : allOfAlias;
  if (byAlias.length) return done(byAlias.find((m) => m.cached) ?? byAlias[0]);
  if (allOfAlias.length) {
    const devices = [...new Set(allOfAlias.map((m) => m.device))].join(', ');
    throw new LabError('model-not-found', `'${name}' has no ${device} variant on this runtime (it has: ${devices}). Pick another device or leave it unset.`);
  }
  const known = [...new Set(models.map((m) => m.alias ?? m.id))];
  const aliases = known.slice(0, 8);
  const forDevice = device && device !== 'unknown' ? ` for ${device}` : '';
  throw new LabError(
    'model-not-found',
    `No model '${name}'${forDevice} on this runtime.${aliases.length ? ` Known: ${aliases.join(', ')}${known.length > 8 ? ', …' : ''}.` : ' It lists no models.'}`,
  );
}
