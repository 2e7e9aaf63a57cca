import { fileURLToPath } from 'node:url';

/** The repository root, so the embedded default finds models/ and infra data whatever the working directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
