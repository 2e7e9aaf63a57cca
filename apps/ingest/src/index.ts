export { ingestApp, IngestModule } from './ingest.module.ts';
export { readInbound, type InboundKind, type InboundOutcome, type InboundReadOptions } from './inbound-reader.ts';
