/** Turns the Compare form into core's CompareConfig, and lists the prompt sets. No VS Code API (unit-tested). */
import { BUILTIN_PROMPT_SETS, PromptSet } from '../../core/compare/promptSets';
import type { CompareConfig } from '../../core/compare/types';
import type { ModelVariant } from '../../core/runtime/types';
import type { CompareForm, ModelOption, PromptSetOption } from '../../protocol';
import { describeVariant, groupByAlias } from '../runtimeText';

export function promptSetOptions(sets: PromptSet[] = BUILTIN_PROMPT_SETS): PromptSetOption[] {
  return sets.map((s) => ({ id: s.id, name: s.name, description: s.description, count: s.prompts.length, temperature: s.temperature }));
}

/** The prompt set a typed prompt or an editor selection becomes. */
export function singlePromptSet(text: string, name = 'Single prompt'): PromptSet {
  return { id: 'single', name, description: 'One prompt', prompts: [{ id: 'prompt', prompt: text }] };
}

export interface ConfigContext {
  /** The JSONL file loaded last, if any. */
  promptFile?: PromptSet;
  idleTimeoutMs?: number;
  /** The name of a typed prompt's set ("Editor selection" when it came from one). */
  textSetName?: string;
}

/** The config, or a message saying what to fix in the form. */
export function buildCompareConfig(form: CompareForm, ctx: ConfigContext = {}): { config: CompareConfig } | { error: string } {
  if (form.models.length < 2) return { error: 'Pick at least two models to compare (an alias or a specific variant each).' };
  let set: PromptSet | undefined;
  switch (form.prompts.kind) {
    case 'builtin':
      set = BUILTIN_PROMPT_SETS.find((s) => s.id === (form.prompts as { id: string }).id);
      if (!set) return { error: `Unknown prompt set "${form.prompts.id}".` };
      break;
    case 'file':
      set = ctx.promptFile;
      if (!set) return { error: 'Choose a JSONL prompt file first.' };
      if (!set.prompts.length) return { error: `${set.name} has no usable prompt (one {"prompt": "..."} per line).` };
      break;
    case 'text':
      set = singlePromptSet(form.prompts.text, ctx.textSetName);
      break;
  }
  const config: CompareConfig = {
    models: form.models,
    prompts: set.prompts,
    promptSetName: set.name,
    runs: form.runs,
    temperature: form.temperature,
    maxTokens: form.maxTokens,
    cold: form.cold,
    idleTimeoutMs: ctx.idleTimeoutMs,
  };
  if (form.judge) config.judge = form.judge;
  return { config };
}

/**
 * The models a comparison can pick, each once: per alias, the alias (the runtime picks the variant) and every
 * variant (to pin a device). The configured small and large models come first when the runtime does not list them.
 */
export function compareModelOptions(models: ModelVariant[], small: string, large: string): ModelOption[] {
  const options: ModelOption[] = [];
  for (const g of groupByAlias(models)) {
    const group = g.alias ?? 'Other models';
    if (g.alias) options.push({ value: g.alias, label: `${g.alias} — the runtime's preferred variant`, group });
    for (const v of g.variants) options.push({ value: v.id, label: `${v.id} — ${describeVariant(v)}${v.cached === false ? ' · not downloaded' : ''}`, group });
  }
  const listed = new Set(options.map((o) => o.value));
  const configured = [small, large].filter((m, i, all) => m && !listed.has(m) && all.indexOf(m) === i);
  return [...configured.map((m) => ({ value: m, label: `${m} (configured; not listed by the runtime)`, group: 'Configured models' })), ...options];
}
