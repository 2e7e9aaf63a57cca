import { existsSync, readFileSync } from 'node:fs';
import { repoRoot } from '@radflow/config';

/** uid list of one of the trainer's fixed splits (models/training/splits/<name>.txt); undefined for 'all'. */
export function splitUids(split: string): string[] | undefined {
  if (split === 'all') return undefined;
  const file = `${repoRoot}models/training/splits/${split}.txt`;
  if (!existsSync(file))
    throw new Error(
      `no split '${split}': ${file} does not exist (train the model first, or use --split all)`,
    );
  return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
}
