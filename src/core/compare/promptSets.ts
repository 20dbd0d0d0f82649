/** Prompt sets for comparisons: the workshop's probes, a deterministic QA set, and user JSONL files. */
export interface PromptItem {
  id: string;
  prompt: string;
  /** A reference answer: enables the reference-match score. */
  reference?: string;
  system?: string;
}

export interface PromptSet {
  id: string;
  name: string;
  description: string;
  /** Suggested temperature (the QA set is meant for temperature 0). */
  temperature?: number;
  prompts: PromptItem[];
}

export const BUILTIN_PROMPT_SETS: PromptSet[] = [
  {
    id: 'workshop-probes',
    name: 'Workshop probes',
    description: 'The workshop\'s SLM-vs-LLM probes: one summary, one creative list.',
    prompts: [
      { id: 'rag-summary', prompt: 'Summarize retrieval augmented generation in 2 sentences.' },
      { id: 'iot-ideas', prompt: 'List 5 creative IoT edge AI ideas.' },
    ],
  },
  {
    id: 'deterministic-qa',
    name: 'Deterministic QA set',
    description: 'Fixed questions with reference answers, run at temperature 0 for a fair comparison.',
    temperature: 0,
    prompts: [
      { id: 'capital', prompt: 'What is the capital of Australia? Answer in one sentence.', reference: 'The capital of Australia is Canberra.' },
      { id: 'arith', prompt: 'What is 17 multiplied by 23? Answer with the number and one short sentence.', reference: '17 multiplied by 23 is 391.' },
      { id: 'http-404', prompt: 'What does the HTTP status code 404 mean? Answer in one sentence.', reference: 'HTTP 404 Not Found means the server cannot find the requested resource.' },
      { id: 'rag-define', prompt: 'Define retrieval augmented generation in one sentence.', reference: 'Retrieval augmented generation retrieves relevant documents and gives them to a language model as context so that its answer is grounded in them.' },
      { id: 'onnx', prompt: 'What is ONNX Runtime used for? Answer in one sentence.', reference: 'ONNX Runtime is an engine that runs machine learning models in the ONNX format efficiently across CPUs, GPUs and NPUs.' },
    ],
  },
];

export interface JsonlIssue {
  line: number;
  message: string;
}

/**
 * Parses a JSONL prompt file: one `{"prompt": "...", "reference"?: "...", "id"?: "...", "system"?: "..."}` per line.
 * Good lines are kept; bad lines are reported with their line numbers, never silently dropped.
 */
export function parsePromptJsonl(text: string, name = 'prompts'): { set: PromptSet; issues: JsonlIssue[] } {
  const prompts: PromptItem[] = [];
  const issues: JsonlIssue[] = [];
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    let obj: any;
    try {
      obj = JSON.parse(trimmed);
    } catch (e) {
      issues.push({ line, message: `not JSON (${(e as Error).message})` });
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return void issues.push({ line, message: 'not a JSON object' });
    if (typeof obj.prompt !== 'string' || !obj.prompt.trim()) return void issues.push({ line, message: 'no "prompt" string' });
    if (obj.reference !== undefined && typeof obj.reference !== 'string') return void issues.push({ line, message: '"reference" is not a string' });
    let id = typeof obj.id === 'string' && obj.id.trim() ? obj.id.trim() : `line-${line}`;
    if (ids.has(id)) id = `${id}-line-${line}`;
    ids.add(id);
    prompts.push({ id, prompt: obj.prompt, reference: obj.reference, system: typeof obj.system === 'string' ? obj.system : undefined });
  });
  return { set: { id: `file:${name}`, name, description: `${prompts.length} prompts from ${name}`, prompts }, issues };
}
