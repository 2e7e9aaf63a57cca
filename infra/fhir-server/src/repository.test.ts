import { parseSearchRequest, type SearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, DiagnosticReport, Patient, Resource, Task } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from './definitions.ts';
import { ValidatingMemoryRepository } from './repository.ts';
import { R4Validator } from './validation.ts';

// A small seeded generator (mulberry32): the same writes and searches on every run, so a failure can be replayed.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MRN = 'urn:test:mrn';
const OTHER = 'urn:test:other';
const TAG = 'urn:test:accession';
const CODES = ['A1', 'a1', 'B-2', 'c3', 'D,4', 'e|5'];

let validator: R4Validator;

beforeAll(() => {
  loadR4Definitions();
  validator = new R4Validator();
});

describe('ValidatingMemoryRepository indexed search', () => {
  it('returns what the full scan of a plain MemoryRepository returns, for 600 seeded searches over 400 writes', async () => {
    const next = random(20261206);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const indexed = new ValidatingMemoryRepository(validator);
    const plain = new MemoryRepository();
    // The plain repository holds exactly the stored versions (ids and meta included).
    const mirror = (stored: Resource) =>
      plain.withSeeding(() => plain.createResource(stored, undefined, true));

    const ids: Record<string, string[]> = { Patient: [], DiagnosticReport: [], Task: [] };
    const identifier = () => {
      const value = pick(CODES);
      return next() < 0.2 ? { value } : { system: pick([MRN, OTHER]), value };
    };
    const tag = () => ({ system: next() < 0.8 ? TAG : OTHER, code: pick(CODES) });
    for (let i = 0; i < 400; i++) {
      const roll = next();
      if (roll < 0.08 && ids.Task!.length > 0) {
        const id = pick(ids.Task!);
        const existing = await indexed.readResource<Task>('Task', id).catch(() => undefined);
        if (!existing) continue;
        await indexed.deleteResource('Task', id);
        await plain.deleteResource('Task', id);
        continue;
      }
      if (roll < 0.2 && ids.Task!.length > 0) {
        const id = pick(ids.Task!);
        const existing = await indexed.readResource<Task>('Task', id).catch(() => undefined);
        if (!existing) continue;
        const updated = await indexed.updateResource<Task>({
          ...existing,
          status: pick(['requested', 'cancelled'] as const),
          meta: { ...existing.meta, tag: [tag()] },
        });
        await mirror(updated);
        continue;
      }
      const type = pick(['Patient', 'DiagnosticReport', 'Task'] as const);
      let resource: Patient | DiagnosticReport | Task;
      if (type === 'Patient') {
        resource = {
          resourceType: 'Patient',
          identifier: [identifier(), identifier()],
          meta: { tag: [tag()] },
        };
      } else if (type === 'DiagnosticReport') {
        resource = {
          resourceType: 'DiagnosticReport',
          status: pick(['final', 'preliminary'] as const),
          code: { text: 'chest x-ray' },
          identifier: [identifier()],
          meta: { tag: [tag()] },
          ...(ids.Patient!.length ? { subject: { reference: `Patient/${pick(ids.Patient!)}` } } : {}),
        };
      } else {
        resource = {
          resourceType: 'Task',
          status: pick(['requested', 'completed'] as const),
          intent: 'order',
          meta: { tag: [tag(), tag()] },
          ...(ids.DiagnosticReport!.length
            ? { focus: { reference: `DiagnosticReport/${pick(ids.DiagnosticReport!)}` } }
            : {}),
        };
      }
      // Half the creates are conditional (If-None-Exist on a tag or an identifier, as the writeback does); one whose
      // condition matches several resources is refused (multiple matches) and writes nothing.
      const condition = pick([
        `_tag=${enc(`${TAG}|${pick(CODES)}`)}`,
        `identifier=${enc(`${MRN}|${pick(CODES)}`)}`,
      ]);
      const stored =
        next() < 0.5
          ? await indexed.createResource(resource)
          : await indexed
              .conditionalCreate(
                resource,
                parseSearchRequest(`${type}?${condition}`) as SearchRequest<Resource>,
              )
              .then((r) => r.resource)
              .catch(() => undefined);
      if (!stored) continue;
      if (!ids[type]!.includes(stored.id)) ids[type]!.push(stored.id);
      await mirror(stored);
    }

    const queries = (type: 'Patient' | 'DiagnosticReport' | 'Task'): string[] => {
      const id = () => pick(ids[type]!);
      const code = () => pick([...CODES, 'A1'.toLowerCase(), 'B-2'.toUpperCase(), 'none']);
      const token = () => pick([`${MRN}|${code()}`, `|${code()}`, code(), `${OTHER}|${code()}`, `${MRN}|`]);
      const tagToken = () => pick([`${TAG}|${code()}`, code(), `${OTHER}|${code()}`, `|${code()}`]);
      const common = [
        `_id=${id()}`,
        `_id=${id()},${id()},missing`,
        `_tag=${enc(tagToken())}`,
        `_tag=${enc(tagToken())},${enc(tagToken())}`,
        `_tag:not=${enc(tagToken())}`,
        `identifier=${enc(token())}`,
        `identifier=${enc(token())},${enc(token())}`,
        `identifier:missing=true`,
        `_id=${id()}&_tag=${enc(tagToken())}`,
      ];
      if (type === 'Task')
        return [
          ...common,
          `focus=DiagnosticReport/${pick(ids.DiagnosticReport!)}`,
          `focus=${pick(ids.DiagnosticReport!)}`,
          `focus=DiagnosticReport/${pick(ids.DiagnosticReport!)}&status=requested`,
        ];
      if (type === 'DiagnosticReport')
        return [
          ...common,
          `subject=Patient/${pick(ids.Patient!)}`,
          `patient=${pick(ids.Patient!)}`,
          `_tag=${enc(tagToken())}&_include=DiagnosticReport:subject&_revinclude=Task:focus`,
          `subject=Patient/${pick(ids.Patient!)}&status=final,amended`,
        ];
      return common;
    };
    const suffix = () =>
      pick([
        '',
        '',
        '&_sort=-_lastUpdated',
        '&_sort=_id',
        '&_count=2',
        '&_count=1&_offset=1',
        '&_summary=count',
      ]);

    let compared = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 600; i++) {
      const type = pick(['Patient', 'DiagnosticReport', 'Task'] as const);
      const query = `${type}?${pick(queries(type))}${suffix()}`;
      const expected = await plain.search(parseSearchRequest(query));
      const actual = await indexed.search(parseSearchRequest(query));
      expect(summary(actual), query).toEqual(summary(expected));
      compared += 1;
      if ((expected.total ?? 0) > 0) nonEmpty += 1;
    }
    expect(compared).toBe(600);
    // The searches must exercise matches, not only empty results.
    expect(nonEmpty).toBeGreaterThan(200);
  });
});

describe('ValidatingMemoryRepository transaction rollback', () => {
  it('restores every resource, its place in search order and its history after a failing transaction', async () => {
    const repo = new ValidatingMemoryRepository(validator);
    const task = (code: string): Task => ({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      meta: { tag: [{ system: TAG, code }] },
    });
    const first = await repo.createResource(task('k1'));
    const second = await repo.createResource(task('k2'));
    const third = await repo.updateResource({
      ...(await repo.createResource(task('k3'))),
      status: 'completed',
    });
    const before = snapshotOf(repo);
    const searchBefore = summary(
      await repo.search(parseSearchRequest(`Task?_tag=${TAG}|k1,${TAG}|k2,${TAG}|k3`)),
    );

    await expect(
      repo.withTransaction(async () => {
        await repo.createResource(task('k1')); // a new resource with an indexed key already in use
        await repo.updateResource({ ...first, status: 'cancelled' });
        await repo.deleteResource('Task', second.id);
        await repo.updateResource({ ...second, status: 'completed' }); // put back after its delete: last in order
        await repo.deleteResource('Task', third.id);
        await repo.expungeResources('Task', [first.id]);
        await repo.conditionalCreate(task('k4'), parseSearchRequest(`Task?_tag=${TAG}|k4`));
        throw new Error('entry 8 failed');
      }),
    ).rejects.toThrow('entry 8 failed');

    expect(snapshotOf(repo)).toEqual(before);
    expect(summary(await repo.search(parseSearchRequest(`Task?_tag=${TAG}|k1,${TAG}|k2,${TAG}|k3`)))).toEqual(
      searchBefore,
    );
    expect(summary(await repo.search(parseSearchRequest(`Task?_tag=${TAG}|k4`))).total).toBe(0);
    expect((await repo.readHistory('Task', third.id)).entry).toHaveLength(2);
    expect(repo.countResources()).toBe(3);
  });

  it('keeps the writes of a transaction that succeeds', async () => {
    const repo = new ValidatingMemoryRepository(validator);
    await repo.withTransaction(async () => {
      await repo.createResource<Patient>({
        resourceType: 'Patient',
        identifier: [{ system: MRN, value: 'p1' }],
      });
    });
    const found = await repo.search(parseSearchRequest(`Patient?identifier=${MRN}|p1`));
    expect(found.total).toBe(1);
  });
});

const enc = encodeURIComponent;

/** What a search answers, comparable: total, and each entry's mode, type and id in order. */
function summary(bundle: Bundle): { total?: number; entries: string[] } {
  return {
    total: bundle.total,
    entries: (bundle.entry ?? []).map(
      (e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}/${e.resource?.meta?.versionId}`,
    ),
  };
}

/**
 * The repository's whole store: resources per type in iteration order (the order searches return them in), and every
 * id's history (by id: the order of the history map's keys is never read).
 */
function snapshotOf(repo: ValidatingMemoryRepository): unknown {
  const store = repo as unknown as {
    resources: Map<string, Map<string, Resource>>;
    history: Map<string, Map<string, Resource[]>>;
  };
  const flat = <V>(maps: Map<string, Map<string, V>>, byId: boolean) =>
    [...maps]
      .map(([type, values]) => {
        const entries = [...values].map(([id, value]) => [id, structuredClone(value)] as const);
        if (byId) entries.sort(([a], [b]) => a.localeCompare(b));
        return [type, entries] as const;
      })
      .filter(([, entries]) => entries.length > 0);
  return { resources: flat(store.resources, false), history: flat(store.history, true) };
}
