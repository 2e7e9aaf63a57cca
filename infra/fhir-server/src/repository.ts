import { MemoryRepository, type CreateResourceOptions } from '@medplum/fhir-router';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { SearchRequest, WithId } from '@medplum/core';
import type { R4Validator } from './validation.ts';

interface MemoryStore {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
}

/**
 * Medplum's MemoryRepository plus what a real FHIR server must do that it leaves out:
 *  - every write is validated (create, update, patch, conditional create/update, transaction entries);
 *  - a client-supplied id on create is ignored, as the FHIR spec requires;
 *  - transactions are atomic: MemoryRepository.withTransaction just runs the callback, so a failing
 *    entry would leave earlier entries written. Here the store is snapshotted and restored on failure.
 * Callers must not run two requests at once (the HTTP layer serializes them), or a rollback could
 * undo another request's writes.
 */
export class ValidatingMemoryRepository extends MemoryRepository {
  private transactionDepth = 0;

  constructor(private readonly validator: R4Validator) {
    super();
    const store = this.store();
    // Rollback reads MemoryRepository's private maps; fail fast if a Medplum upgrade renames them.
    if (!(store.resources instanceof Map) || !(store.history instanceof Map)) {
      throw new Error(
        '@medplum/fhir-router MemoryRepository internals changed: transaction rollback unavailable',
      );
    }
  }

  override async createResource<T extends Resource>(
    resource: T,
    options?: CreateResourceOptions,
    update = false,
  ): Promise<WithId<T>> {
    const toStore = update || options?.assignedId ? resource : withoutId(resource);
    this.validator.validate(toStore);
    return super.createResource(toStore, options, update);
  }

  // MemoryRepository.conditionalCreate writes without going through createResource.
  override async conditionalCreate<T extends Resource>(
    resource: T,
    search: SearchRequest<T>,
    options?: CreateResourceOptions,
  ): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    const toStore = options?.assignedId ? resource : withoutId(resource);
    this.validator.validate(toStore);
    return super.conditionalCreate(toStore, search, options);
  }

  override async withTransaction<TResult>(callback: (repo: this) => Promise<TResult>): Promise<TResult> {
    if (this.transactionDepth > 0) return callback(this);
    const snapshot = this.snapshot();
    this.transactionDepth += 1;
    try {
      return await callback(this);
    } catch (err) {
      this.restore(snapshot);
      throw err;
    } finally {
      this.transactionDepth -= 1;
    }
  }

  /** Number of current (not deleted) resources, for logs and tests. */
  countResources(): number {
    let n = 0;
    for (const byId of this.store().resources.values()) n += byId.size;
    return n;
  }

  private store(): MemoryStore {
    return this as unknown as MemoryStore;
  }

  // Stored resources are never mutated in place (updates replace them), so copying the maps and
  // the history arrays is a complete snapshot.
  private snapshot(): MemoryStore {
    const { resources, history } = this.store();
    return {
      resources: new Map([...resources].map(([type, byId]) => [type, new Map(byId)])),
      history: new Map(
        [...history].map(([type, byId]) => [
          type,
          new Map([...byId].map(([id, versions]) => [id, [...versions]])),
        ]),
      ),
    };
  }

  private restore(snapshot: MemoryStore): void {
    const { resources, history } = this.store();
    resources.clear();
    for (const [type, byId] of snapshot.resources) resources.set(type, byId);
    history.clear();
    for (const [type, byId] of snapshot.history) history.set(type, byId);
  }
}

function withoutId<T extends Resource>(resource: T): T {
  if (typeof resource !== 'object' || resource === null || resource.id === undefined) return resource;
  const { id: _ignored, ...rest } = resource;
  return rest as T;
}
