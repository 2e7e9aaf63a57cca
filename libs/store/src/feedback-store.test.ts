import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { radiologistModelName } from '@radflow/reports';
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

  it('attributes feedback to the signing radiologist and scopes counts and reads to one radiologist', async () => {
    const store = new FeedbackStore(database);
    const shared = `rad-${randomUUID().slice(0, 8)}`;
    const [anne, rita] = ['a1a1a1a1a1a1a1a1', 'b2b2b2b2b2b2b2b2'];
    const before = await store.latestSequence();
    const model = (name: string) => ({ name, version: '1' });
    await store.save([
      row({ model: model(shared), radiologistKey: anne }),
      row({ model: model(shared), radiologistKey: anne, output: 'devices' }),
      // A draft of Anne's own model teaches Anne's model too.
      row({ model: model(radiologistModelName(shared, anne)), radiologistKey: anne }),
      row({ model: model(shared), radiologistKey: rita }),
      // Not trainable (priority), another shared model, and nobody named: never counted for a radiologist.
      row({ model: model(shared), radiologistKey: anne, output: 'priority', correctedPriority: 'stat' }),
      row({ model: model(`other-${shared}`), radiologistKey: anne }),
      row({ model: model(shared), radiologistKey: null }),
      row({ model: model(shared) }),
    ]);
    const scope = { modelName: shared, includeUnattributed: false };
    expect(await store.trainableByRadiologist(before, scope)).toEqual([
      { radiologistKey: anne, count: 3 },
      { radiologistKey: rita, count: 1 },
    ]);
    expect(await store.countTrainableSince(before, { ...scope, radiologistKey: anne })).toBe(3);
    expect(await store.countTrainableSince(before, { ...scope, radiologistKey: rita })).toBe(1);
    // The shared model's own scope is unchanged: its drafts, whoever signed.
    expect(await store.countTrainableSince(before, scope)).toBe(5);

    const latest = await store.latestSequence();
    const annes = await store.trainable(latest, { ...scope, radiologistKey: anne });
    expect(annes.filter((r) => r.sequence > before).map((r) => [r.output, r.model?.name])).toEqual([
      ['impression', shared],
      ['devices', shared],
      ['impression', radiologistModelName(shared, anne)],
    ]);
    expect(annes.every((r) => r.radiologistKey === anne)).toBe(true);
    expect(await store.trainableByRadiologist(latest, scope)).toEqual([]);
  });

  it('refuses a radiologist key that is not a 16-hex hash (a raw staff id must never be stored)', async () => {
    const store = new FeedbackStore(database);
    await expect(store.save([row({ radiologistKey: '9999' })])).rejects.toThrow(/radiologist_key/);
  });
});
