import { describe, expect, it } from 'vitest';
import { reviewStateOf, stateOfVerdicts } from './review-state.ts';
import { filterChoices, filterRows, NO_FILTER, toggled } from './filters.ts';
import { listKey } from './keyboard.ts';
import type { WorklistRow } from './rows.ts';

describe('review state', () => {
  it('is new without feedback, else that of the latest submission', () => {
    expect(reviewStateOf([])).toEqual({ state: 'new' });
    expect(stateOfVerdicts(['accept', 'accept'])).toBe('accepted');
    expect(stateOfVerdicts(['accept', 'reject'])).toBe('rejected');
    expect(stateOfVerdicts(['reject', 'edit'])).toBe('edited');
    const records = [
      { feedbackId: 'f1', sequence: 1, verdict: 'accept' as const, reviewerId: 'dr-a' },
      { feedbackId: 'f1', sequence: 2, verdict: 'accept' as const, reviewerId: 'dr-a' },
      { feedbackId: 'f2', sequence: 7, verdict: 'edit' as const, reviewerId: 'dr-b' },
    ];
    expect(reviewStateOf(records)).toEqual({ state: 'edited', reviewedBy: 'dr-b' });
    expect(reviewStateOf(records.slice(0, 2))).toEqual({ state: 'accepted', reviewedBy: 'dr-a' });
  });
});

const rows = [
  { id: '1', priority: 'stat', state: 'new', modality: 'XR' },
  { id: '2', priority: 'routine', state: 'accepted', modality: 'XR' },
  { id: '3', priority: 'urgent', state: 'rejected', modality: 'CT' },
] as WorklistRow[];

describe('filters', () => {
  it('keep rows matching every non-empty filter', () => {
    expect(filterRows(rows, NO_FILTER).map((r) => r.id)).toEqual(['1', '2', '3']);
    const statOrUrgent = { ...NO_FILTER, priorities: new Set(['stat', 'urgent'] as const) };
    expect(filterRows(rows, statOrUrgent).map((r) => r.id)).toEqual(['1', '3']);
    expect(filterRows(rows, { ...statOrUrgent, modalities: new Set(['XR']) }).map((r) => r.id)).toEqual([
      '1',
    ]);
    expect(
      filterRows(rows, { ...NO_FILTER, states: new Set(['accepted', 'edited'] as const) }).map((r) => r.id),
    ).toEqual(['2']);
  });

  it('offer every priority and state and the modalities present; toggle adds and removes', () => {
    expect(filterChoices(rows)).toEqual({
      priorities: ['stat', 'urgent', 'routine'],
      states: ['new', 'accepted', 'edited', 'rejected'],
      modalities: ['CT', 'XR'],
    });
    expect([...toggled(new Set(['a']), 'b')]).toEqual(['a', 'b']);
    expect([...toggled(new Set(['a', 'b']), 'a')]).toEqual(['b']);
  });
});

describe('keyboard', () => {
  it('moves with j/k and the arrows, clamped, and opens with Enter', () => {
    expect(listKey('j', -1, 3)).toEqual({ move: 0 });
    expect(listKey('j', 0, 3)).toEqual({ move: 1 });
    expect(listKey('ArrowDown', 2, 3)).toEqual({ move: 2 });
    expect(listKey('k', 1, 3)).toEqual({ move: 0 });
    expect(listKey('ArrowUp', 0, 3)).toEqual({ move: 0 });
    expect(listKey('End', 0, 3)).toEqual({ move: 2 });
    expect(listKey('Home', 2, 3)).toEqual({ move: 0 });
    expect(listKey('Enter', 1, 3)).toEqual({ open: 1 });
    expect(listKey('Enter', -1, 3)).toBeUndefined();
    expect(listKey('x', 1, 3)).toBeUndefined();
    expect(listKey('j', -1, 0)).toBeUndefined();
  });
});
