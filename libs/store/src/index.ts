export { openDatabase, isTransientDatabaseError, type Database } from './database.ts';
export { migrate } from './migrations.ts';
export { IdempotencyLedger } from './idempotency-ledger.ts';
export { ReportStore, type StoredReport } from './report-store.ts';
export { EnrichmentStore } from './enrichment-store.ts';
