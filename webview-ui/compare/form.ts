/** The Compare form's values → the `run` message, with the checks a person should hear about before sending. Pure (unit-tested). */
import { COMPARE_LIMITS, CompareForm, ComparePromptSource } from '../../src/protocol';

export interface FormValues {
  models: string[];
  /** 'builtin:<id>', 'file' or 'text'. */
  source: string;
  text: string;
  runs: string;
  temperature: string;
  maxTokens: string;
  cold: boolean;
  judge: string;
  /** Whether a prompt file has been loaded (source 'file'). */
  hasPromptFile: boolean;
}

export function promptSource(source: string, text: string): ComparePromptSource | undefined {
  if (source.startsWith('builtin:')) return { kind: 'builtin', id: source.slice('builtin:'.length) };
  if (source === 'file') return { kind: 'file' };
  if (source === 'text') return { kind: 'text', text };
  return undefined;
}

export function readForm(v: FormValues): { form: CompareForm } | { error: string } {
  const models = [...new Set(v.models)];
  if (models.length < 2) return { error: 'Pick at least two models to compare.' };
  if (models.length > COMPARE_LIMITS.maxModels) return { error: `Pick at most ${COMPARE_LIMITS.maxModels} models.` };
  const prompts = promptSource(v.source, v.text);
  if (!prompts) return { error: 'Choose a prompt set.' };
  if (prompts.kind === 'text' && !v.text.trim()) return { error: 'Type a prompt (or select text in an editor and run "Compare models on selection").' };
  if (prompts.kind === 'file' && !v.hasPromptFile) return { error: 'Choose a JSONL prompt file first.' };
  const runs = Number(v.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > COMPARE_LIMITS.maxRuns) return { error: `Runs per prompt: a whole number from 1 to ${COMPARE_LIMITS.maxRuns}.` };
  const temperature = Number(v.temperature);
  if (v.temperature.trim() === '' || !Number.isFinite(temperature) || temperature < 0 || temperature > COMPARE_LIMITS.maxTemperature) return { error: 'Temperature: a number from 0 to 2.' };
  const maxTokens = Number(v.maxTokens);
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > COMPARE_LIMITS.maxTokens) return { error: `Max tokens: a whole number from 1 to ${COMPARE_LIMITS.maxTokens}.` };
  const form: CompareForm = { models, prompts, runs, temperature, maxTokens, cold: v.cold };
  if (v.judge) form.judge = v.judge;
  return { form };
}
