/** A UTC instant to the second without separators: 2025-06-01T12:00:00.123Z -> 20250601T120000Z. */
function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * The version a fine-tune of `baseVersion` is registered under: the base's own version (without an earlier run's
 * `-ft.` suffix, so lineage lives in the registry, not in ever longer names), when the run started, and the first
 * eight characters of its run id, so two runs in the same second still differ.
 */
export function candidateVersion(baseVersion: string, startedAt: Date, runId: string): string {
  return `${baseVersion.split('-ft.')[0]}-ft.${compactUtc(startedAt)}.${runId.slice(0, 8)}`;
}
