export { ingestApp, IngestModule } from './ingest.module.ts';
