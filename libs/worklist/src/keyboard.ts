/** What a key does on the worklist: move the selection, open the selected report, or nothing. */
export type ListKeyOutcome = { move: number } | { open: number } | undefined;

/**
 * j / ArrowDown and k / ArrowUp move the selection (clamped to the list), Home and End jump, Enter opens the
 * selected row. `current` is -1 when nothing is selected yet: the first move selects the first row.
 */
export function listKey(key: string, current: number, count: number): ListKeyOutcome {
  if (count === 0) return undefined;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { move: current < 0 ? 0 : clamp(current + 1) };
    case 'k':
    case 'ArrowUp':
      return { move: current < 0 ? 0 : clamp(current - 1) };
    case 'Home':
      return { move: 0 };
    case 'End':
      return { move: count - 1 };
    case 'Enter':
      return current >= 0 && current < count ? { open: current } : undefined;
    default:
      return undefined;
  }
}
