import { PRIORITY_LEVELS, type PriorityLevel, type WorklistRow } from './rows.ts';
import { REVIEW_STATES, type ReviewState } from './review-state.ts';

/** The worklist filters; an empty set means "any". */
export interface WorklistFilter {
  priorities: ReadonlySet<PriorityLevel>;
  states: ReadonlySet<ReviewState>;
  modalities: ReadonlySet<string>;
}

export const NO_FILTER: WorklistFilter = { priorities: new Set(), states: new Set(), modalities: new Set() };

const allows = <T>(set: ReadonlySet<T>, value: T) => set.size === 0 || set.has(value);

export function matchesFilter(row: WorklistRow, filter: WorklistFilter): boolean {
  return (
    allows(filter.priorities, row.priority) &&
    allows(filter.states, row.state) &&
    allows(filter.modalities, row.modality)
  );
}

export function filterRows(rows: readonly WorklistRow[], filter: WorklistFilter): WorklistRow[] {
  return rows.filter((row) => matchesFilter(row, filter));
}

/** The choices each filter offers: every priority and state, and the modalities the list holds. */
export function filterChoices(rows: readonly WorklistRow[]): {
  priorities: readonly PriorityLevel[];
  states: readonly ReviewState[];
  modalities: string[];
} {
  return {
    priorities: PRIORITY_LEVELS,
    states: REVIEW_STATES,
    modalities: [...new Set(rows.map((r) => r.modality))].sort(),
  };
}

/** Toggles one value in a filter set (a checkbox). */
export function toggled<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}
