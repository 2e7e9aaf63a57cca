import type { Logger, RadflowConfig } from '@radflow/config';
import { routeModel, type ModelRoutingTable, type ReportRouter } from '@radflow/enrichment';
import { readManifest } from '@radflow/model-runtime';
import type { RadiologyReport } from '@radflow/schemas';
import { ModelRouting, type Database } from '@radflow/store';

/**
 * The registry's routing table for one shared model, read at most once per `ttlMs` (ENRICHMENT_ROUTING_CACHE_MS):
 * routing is per report, the table changes on promotions and canaries only. Concurrent reports share one read; when
 * the database does not answer, the last table read is kept (and, before any, reports go to the serving model).
 */
export class RoutingTableCache {
  private table: ModelRoutingTable | undefined;
  private readAt = -Infinity;
  private reading: Promise<ModelRoutingTable | undefined> | undefined;

  constructor(
    private readonly sharedModelName: string,
    private readonly read: (name: string) => Promise<ModelRoutingTable>,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(): Promise<ModelRoutingTable | undefined> {
    if (this.table && this.now() - this.readAt < this.ttlMs) return Promise.resolve(this.table);
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<ModelRoutingTable | undefined> {
    try {
      this.table = await this.read(this.sharedModelName);
      this.readAt = this.now();
    } catch (error) {
      this.logger.warn(
        { code: (error as { code?: string }).code ?? (error as Error).name, stale: this.table !== undefined },
        'model routing table unavailable; keeping the last one read',
      );
    }
    return this.table;
  }
}

/**
 * The shared model whose versions reports are routed among: RETRAIN_MODEL_NAME, else the name in the retrainer's
 * base model's manifest (the retrainer's own rule, so both name the same registry entry). Undefined when neither is readable.
 */
export function sharedModelName(config: RadflowConfig): string | undefined {
  if (config.retrainer.modelName) return config.retrainer.modelName;
  try {
    // RETRAIN_BASE_MODEL_DIR (MODEL_DIR unless set): the directory the retrainer names its registry entry after.
    return readManifest(config.retrainer.baseModelDir).name;
  } catch {
    return undefined;
  }
}

/** Routes each report over the registry's routing table (PostgreSQL), or nowhere when there is no shared model. */
export function registryRouter(config: RadflowConfig, database: Database, logger: Logger): ReportRouter {
  const name = sharedModelName(config);
  if (name === undefined) {
    logger.warn(
      {},
      'no shared model name (RETRAIN_MODEL_NAME, MODEL_DIR manifest): every report goes to the serving model',
    );
    return async () => undefined;
  }
  const routing = new ModelRouting(database);
  const tables = new RoutingTableCache(
    name,
    (n) => routing.table(n),
    config.inference.routingCacheMs,
    logger,
  );
  return async (report: RadiologyReport) => {
    const table = await tables.get();
    if (!table) return undefined;
    return routeModel(name, table, {
      accession: report.accession,
      resultInterpreter: report.resultInterpreter,
    });
  };
}
