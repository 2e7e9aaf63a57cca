import { MemoryRepository, type CreateResourceOptions } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { SearchRequest, WithId } from '@medplum/core';
import { SearchIndex } from './search-index.ts';
import type { R4Validator } from './validation.ts';

interface MemoryStore {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
}

/** One write inside a transaction and what undoes it. */
interface UndoEntry {
  resourceType: string;
  id: string;
  /** The current version before the write; undefined when there was none. */
  previous: Resource | undefined;
  /** Its position in the type's insertion order (see `order`). */
  previousOrder: number | undefined;
  /** Length of the id's history before the write; undefined when it had no history array. */
  historyLength: number | undefined;
  /** The history array an expunge removed. */
  expungedHistory?: Resource[];
}

type SearchSync = (this: MemoryRepository, request: SearchRequest) => Bundle;
type CreateResourceSync = (
  this: MemoryRepository,
  resource: Resource,
  options?: CreateResourceOptions,
  update?: boolean,
) => WithId<Resource>;

// MemoryRepository's private methods, wrapped per instance below (read once: fail fast on a Medplum upgrade).
const medplum = MemoryRepository.prototype as unknown as {
  searchSync: SearchSync;
  createResourceSync: CreateResourceSync;
};

/**
 * Medplum's MemoryRepository plus what a real FHIR server must do that it leaves out:
 *  - every write is validated (create, update, patch, conditional create/update, transaction entries);
 *  - a client-supplied id on create is ignored, as the FHIR spec requires;
 *  - transactions are atomic: MemoryRepository.withTransaction just runs the callback, so a failing
 *    entry would leave earlier entries written. Here every write inside a transaction is logged with what it
 *    replaced, and undone in reverse order on failure;
 *  - searches scale: MemoryRepository evaluates every resource of the type per search (conditional creates
 *    included), so a server holding tens of thousands of resources answered in seconds. An equality filter on an
 *    indexed token or reference parameter (SearchIndex) narrows the scan to its candidates first; Medplum's own
 *    searchSync then runs on those only, so matching, sorting, paging and totals are Medplum's.
 * Callers must not run two requests at once (the HTTP layer serializes them), or a rollback could
 * undo another request's writes.
 */
export class ValidatingMemoryRepository extends MemoryRepository {
  private transactionDepth = 0;
  private undoLog: UndoEntry[] | undefined;
  private readonly index = new SearchIndex();
  /** Per type, the insertion rank of each id: the order MemoryRepository's Map iterates in, which the scan follows. */
  private readonly order = new Map<string, Map<string, number>>();
  private nextOrder = 0;

  constructor(private readonly validator: R4Validator) {
    super();
    const store = this.store();
    // Rollback and the indexed search read MemoryRepository's private maps and wrap two of its private methods;
    // fail fast if a Medplum upgrade renames them.
    if (
      !(store.resources instanceof Map) ||
      !(store.history instanceof Map) ||
      typeof medplum.searchSync !== 'function' ||
      typeof medplum.createResourceSync !== 'function'
    ) {
      throw new Error(
        '@medplum/fhir-router MemoryRepository internals changed: transaction rollback and indexed search unavailable',
      );
    }
    // Every create and update (createResource, updateResource, patchResource, conditionalCreate) goes through
    // createResourceSync, and every search (conditionalCreate's and the includes' too) through searchSync.
    Object.assign(this, {
      createResourceSync: (resource: Resource, options?: CreateResourceOptions, update?: boolean) =>
        this.recordedCreate(resource, options, update),
      searchSync: (request: SearchRequest) => this.indexedSearch(request),
    });
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

  override async deleteResource(
    resourceType: string,
    id: string,
    options?: Parameters<MemoryRepository['deleteResource']>[2],
  ): Promise<void> {
    const entry = this.undoEntry(resourceType, id);
    await super.deleteResource(resourceType, id, options);
    this.undoLog?.push(entry);
  }

  override async expungeResources(resourceType: string, ids: string[]): Promise<void> {
    const entries = ids.map((id) => ({
      ...this.undoEntry(resourceType, id),
      expungedHistory: this.store().history.get(resourceType)?.get(id),
    }));
    await super.expungeResources(resourceType, ids);
    this.undoLog?.push(...entries);
  }

  override async withTransaction<TResult>(callback: (repo: this) => Promise<TResult>): Promise<TResult> {
    if (this.transactionDepth > 0) return callback(this);
    const log: UndoEntry[] = [];
    this.undoLog = log;
    this.transactionDepth += 1;
    try {
      return await callback(this);
    } catch (err) {
      this.undo(log);
      throw err;
    } finally {
      this.transactionDepth -= 1;
      this.undoLog = undefined;
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

  private undoEntry(resourceType: string, id: string | undefined): UndoEntry {
    const { resources, history } = this.store();
    return {
      resourceType,
      id: id ?? '',
      previous: id === undefined ? undefined : resources.get(resourceType)?.get(id),
      previousOrder: id === undefined ? undefined : this.order.get(resourceType)?.get(id),
      historyLength: id === undefined ? undefined : history.get(resourceType)?.get(id)?.length,
    };
  }

  private recordedCreate(
    resource: Resource,
    options?: CreateResourceOptions,
    update?: boolean,
  ): WithId<Resource> {
    const entry = this.undoEntry(resource.resourceType, resource.id);
    const result = medplum.createResourceSync.call(this, resource, options, update);
    const stored = this.store().resources.get(result.resourceType)?.get(result.id) as WithId<Resource>;
    this.index.add(stored);
    let order = this.order.get(result.resourceType);
    if (!order) {
      order = new Map();
      this.order.set(result.resourceType, order);
    }
    // A Map keeps an existing key's place when it is set again; a new key (or one deleted before) goes last.
    if (entry.previous === undefined) order.set(result.id, this.nextOrder++);
    this.undoLog?.push({ ...entry, id: result.id });
    return result;
  }

  private indexedSearch(request: SearchRequest): Bundle {
    const { resources } = this.store();
    const candidates = request.filters?.some(isChained) ? undefined : this.index.candidates(request);
    if (!candidates) return medplum.searchSync.call(this, request);
    const byId = resources.get(request.resourceType);
    const order = this.order.get(request.resourceType);
    const live = [...candidates]
      .filter((id) => byId?.has(id))
      .sort((a, b) => (order?.get(a) ?? 0) - (order?.get(b) ?? 0));
    // Medplum's searchSync reads only resources.get(resourceType) when no filter is chained: hand it the candidates,
    // in the store's order, for the span of this synchronous call.
    resources.set(request.resourceType, new Map(live.map((id) => [id, byId!.get(id)!])));
    try {
      return medplum.searchSync.call(this, request);
    } finally {
      if (byId) resources.set(request.resourceType, byId);
      else resources.delete(request.resourceType);
    }
  }

  private undo(log: UndoEntry[]): void {
    const { resources, history } = this.store();
    const reordered = new Set<string>();
    for (const entry of log.reverse()) {
      const { resourceType, id, previous } = entry;
      const byId = resources.get(resourceType);
      if (previous === undefined) {
        byId?.delete(id);
      } else {
        if (!byId?.has(id)) reordered.add(resourceType);
        this.ensure(resources, resourceType).set(id, previous);
        if (entry.previousOrder !== undefined) this.order.get(resourceType)?.set(id, entry.previousOrder);
      }
      const versions = history.get(resourceType);
      if (entry.expungedHistory) this.ensure(history, resourceType).set(id, entry.expungedHistory);
      else if (entry.historyLength === undefined) versions?.delete(id);
      else versions?.get(id)?.splice(entry.historyLength);
    }
    // A deleted resource put back must regain its place in the iteration order, as the full scan would see it.
    for (const resourceType of reordered) {
      const order = this.order.get(resourceType);
      const byId = resources.get(resourceType)!;
      resources.set(
        resourceType,
        new Map([...byId].sort(([a], [b]) => (order?.get(a) ?? 0) - (order?.get(b) ?? 0))),
      );
    }
  }

  private ensure<V>(maps: Map<string, Map<string, V>>, resourceType: string): Map<string, V> {
    let byId = maps.get(resourceType);
    if (!byId) {
      byId = new Map();
      maps.set(resourceType, byId);
    }
    return byId;
  }
}

const isChained = (filter: { code: string }) => filter.code.startsWith('_has:') || filter.code.includes('.');

function withoutId<T extends Resource>(resource: T): T {
  if (typeof resource !== 'object' || resource === null || resource.id === undefined) return resource;
  const { id: _ignored, ...rest } = resource;
  return rest as T;
}
