import { createHash } from 'node:crypto';

/** Short, stable hash for logs: lets an operator correlate without seeing the value. */
export function logHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
