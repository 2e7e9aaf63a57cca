/**
 * The FHIR server's store as it fills: per operation time of a conditional create inside a transaction (what every
 * writeback and worklist-task bundle does, If-None-Exist on a `_tag`) and of `identifier` and `_tag` searches, at N
 * resources already stored, for this repository against the baseline of the same run.
 *   npm run bench -w @radflow/fhir-server [-- 0,10000,40000]
 * Baseline: Medplum's MemoryRepository with the full-store snapshot per transaction that ValidatingMemoryRepository
 * took before commit "fhir-server: indexed search, undo-log rollback". Validation is left out of both (it costs the
 * same in each), so the figures are the store's.
 */
import { parseSearchRequest, type SearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource, Task } from '@medplum/fhirtypes';
import { loadR4Definitions } from './definitions.ts';
import { ValidatingMemoryRepository } from './repository.ts';
import type { R4Validator } from './validation.ts';

const KEY = 'urn:radflow:writeback-key';
const ACC = 'urn:radflow:accession';
/** Each measurement runs this many operations, or fewer when they take longer than BUDGET_MS together. */
const OPS = 200;
const BUDGET_MS = 4000;

/** The old rollback: copy the whole store before each top-level transaction, restore it on failure. */
class SnapshotMemoryRepository extends MemoryRepository {
  override async withTransaction<T>(callback: (repo: this) => Promise<T>): Promise<T> {
    const store = this as unknown as {
      resources: Map<string, Map<string, Resource>>;
      history: Map<string, Map<string, Resource[]>>;
    };
    const snapshot = {
      resources: new Map([...store.resources].map(([t, byId]) => [t, new Map(byId)])),
      history: new Map(
        [...store.history].map(([t, byId]) => [t, new Map([...byId].map(([id, v]) => [id, [...v]]))]),
      ),
    };
    try {
      return await callback(this);
    } catch (err) {
      store.resources.clear();
      for (const [t, byId] of snapshot.resources) store.resources.set(t, byId);
      store.history.clear();
      for (const [t, byId] of snapshot.history) store.history.set(t, byId);
      throw err;
    }
  }
}

function task(n: number, run: string): Task {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    identifier: [{ system: ACC, value: `${run}-${n}` }],
    meta: {
      tag: [
        { system: KEY, code: `${run}-${n}/1/model` },
        { system: ACC, code: `${run}-${n}` },
      ],
    },
  };
}

async function measure(op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let done = 0;
  while (done < OPS && (done < 3 || performance.now() - started < BUDGET_MS)) await op(done++);
  return (performance.now() - started) / done;
}

async function bench(repo: MemoryRepository, size: number): Promise<Record<string, number>> {
  for (let i = 0; i < size; i++) await repo.createResource(task(i, 'fill'));
  const search = (query: string) => parseSearchRequest(query) as SearchRequest<Task>;
  return {
    conditionalCreate: await measure((i) =>
      repo.withTransaction(() =>
        repo.conditionalCreate(
          task(i, 'new'),
          search(`Task?_tag=${encodeURIComponent(`${KEY}|new-${i}/1/model`)}`),
        ),
      ),
    ),
    identifierSearch: await measure((i) =>
      repo.search(
        search(`Task?identifier=${encodeURIComponent(`${ACC}|fill-${(i * 7919) % Math.max(size, 1)}`)}`),
      ),
    ),
    tagSearch: await measure((i) =>
      repo.search(
        search(
          `Task?_tag=${encodeURIComponent(`${ACC}|fill-${(i * 104729) % Math.max(size, 1)}`)}&_count=50`,
        ),
      ),
    ),
  };
}

const sizes = (process.argv[2] ?? '0,10000,40000').split(',').map(Number);
loadR4Definitions();
const noValidation = { validate: () => undefined } as unknown as R4Validator;
console.log(
  'N resources | repository | conditional create in a transaction | identifier search | _tag search (ms/op)',
);
for (const size of sizes) {
  for (const [name, make] of [
    ['baseline (scan, snapshot)', () => new SnapshotMemoryRepository()],
    ['indexed, undo log', () => new ValidatingMemoryRepository(noValidation)],
  ] as const) {
    const r = await bench(make(), size);
    const ms = (v: number | undefined) => (v ?? 0).toFixed(v !== undefined && v < 1 ? 3 : 1).padStart(9);
    console.log(
      `${String(size).padStart(11)} | ${name.padEnd(25)} | ${ms(r.conditionalCreate)} | ${ms(r.identifierSearch)} | ${ms(r.tagSearch)}`,
    );
  }
}
