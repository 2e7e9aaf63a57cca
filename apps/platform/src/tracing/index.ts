export { startTracing, type Tracing, type OtelSettings } from './tracing.ts';
export { httpTracingMiddleware } from './http-tracing.ts';
export {
  withSpan,
  traceFhirCall,
  tracedFetch,
  traceModelCall,
  traceInbound,
  traceAccession,
  fhirResourceType,
  type GenerationFacts,
} from './spans.ts';
