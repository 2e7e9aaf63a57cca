export { gatewayApp, GatewayModule } from './gateway.module.ts';
export { MllpListener } from './mllp-listener.ts';
export {
  InboundGatewayService,
  GatewayHeaders,
  TRUNCATED_DEAD_LETTER_BYTES,
} from './inbound-gateway.service.ts';
export {
  FhirReportFetcher,
  refusalOf,
  type ReportFetchCode,
  type ReportFetchRefusal,
} from './fhir-report-fetcher.ts';
export type { GatewayOutcome, Hl7BodyOutcome } from './gateway-outcome.ts';
