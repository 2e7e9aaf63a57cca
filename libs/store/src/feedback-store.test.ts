import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { FeedbackStore, migrate, openDatabase, type Database, type FeedbackRow } from './index.ts';

// Integration tests on the real PostgreSQL that infra/postgres.sh starts.
let database: Database;

beforeAll(async () => {
  database = openDatabase(loadConfig().database.url);
  await migrate(database);
});
afterAll(async () => database.end());

describe('FeedbackStore on PostgreSQL', () => {
  function row(overrides: Partial<FeedbackRow>): FeedbackRow {
    return {
      feedbackId: randomUUID(),
      accession: `A-${randomUUID()}`,
      reportVersion: 'v1',
      source: 'explicit',
      reviewerId: 'rad-1',
      output: 'impression',
      verdict: 'edit',
      model: { name: 'm', version: '1' },
      draftText: 'Draft.',
      correctedText: 'Final.',
      draftLabels: null,
      correctedLabels: [{ label: 'cardiomegaly', state: 'present' }],
      correctedPriority: null,
      findings: 'Heart enlarged.',
      reportText: 'FINDINGS: Heart enlarged.',
      submittedAt: '2025-01-01T00:00:00.000Z',
      ...overrides,
    };
  }

  it('stores each (feedback, output) once and counts trainable records per model name after a watermark', async () => {
    const store = new FeedbackStore(database);
    const model = { name: `scope-${randomUUID().slice(0, 8)}`, version: '1' };
    const before = await store.latestSequence();
    const first = row({ model });
    expect(
      await store.save([
        first,
        row({
          feedbackId: first.feedbackId,
          accession: first.accession,
          output: 'priority',
          correctedPriority: 'stat',
          model,
        }),
      ]),
    ).toBe(2);
    expect(await store.save([first])).toBe(0);
    await store.save([row({ model }), row({ model: null }), row({ model: { name: 'other', version: '1' } })]);
    const scope = { modelName: model.name, includeUnattributed: false };
    expect(await store.countTrainableSince(before, scope)).toBe(2);
    expect(await store.countTrainableSince(before, { ...scope, includeUnattributed: true })).toBe(3);
    const latest = await store.latestSequence();
    expect(await store.countTrainableSince(latest, scope)).toBe(0);
    const rows = await store.trainable(latest, scope);
    expect(rows.filter((r) => r.sequence > before)).toHaveLength(2);
    const [stored] = await store.byFeedbackId(first.feedbackId);
    expect(stored).toMatchObject({ ...first, sequence: expect.any(Number) });
    expect((await store.forAccession(first.accession)).map((r) => r.output)).toEqual([
      'impression',
      'priority',
    ]);
  });
});
