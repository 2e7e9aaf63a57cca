import { ModelLoadError } from './errors.ts';

/**
 * LoRA adapters that one graph routes per batch row (its `adapter_ids` input; models/training's routed_lora.py):
 * which adapter answers which task. radflow-cxr, for example, keeps a general adapter and one trained on the label
 * tasks over the same base, in one session, and a batch may mix them.
 */
export interface ManifestAdapters {
  /** Adapter names, by index (for logs and the model card). */
  names: string[];
  /** Task name → adapter index. */
  tasks: Record<string, number>;
  /** The adapter of tasks not named in `tasks` and of raw prompts. */
  default: number;
}

/** Reads radflow-model.json's `adapters`: every index must name an adapter. */
export function readManifestAdapters(dir: string, raw: unknown): ManifestAdapters {
  const fail = (why: string) => new ModelLoadError(dir, `radflow-model.json: "adapters" ${why}`);
  if (typeof raw !== 'object' || raw === null) throw fail('must be an object');
  const { names, tasks = {}, default: fallback = 0 } = raw as Record<string, unknown>;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.trim()))
    throw fail('.names must list the adapters by index');
  const isIndex = (value: unknown): value is number =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) < names.length;
  if (!isIndex(fallback)) throw fail(`.default must be an adapter index (0..${names.length - 1})`);
  if (typeof tasks !== 'object' || tasks === null)
    throw fail('.tasks must map task names to adapter indexes');
  for (const [task, index] of Object.entries(tasks as Record<string, unknown>)) {
    if (!isIndex(index)) throw fail(`.tasks.${task} must be an adapter index (0..${names.length - 1})`);
  }
  return {
    names: [...names] as string[],
    tasks: { ...(tasks as Record<string, number>) },
    default: fallback,
  };
}
