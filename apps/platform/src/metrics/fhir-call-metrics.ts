import type { Histogram } from 'prom-client';

/** One FHIR request as the call sites see it: never the URL (a search's query holds identifiers). */
export interface FhirCallObservation {
  method: string;
  resourceType: string;
  /** `ok`, the HTTP status of a refused request, or `error` when no response came (timeout, connection). */
  outcome: string;
  seconds: number;
}

type FhirCallListener = (call: FhirCallObservation) => void;

// Process-wide: the FHIR clients are plain objects built by modules, not Nest providers of one host, so each host
// subscribes its histogram here (several hosts in one test process each see every call of the process).
const listeners = new Set<FhirCallListener>();

/** Tells the subscribed hosts about one finished FHIR request. */
export function recordFhirCall(call: FhirCallObservation): void {
  for (const listener of listeners) listener(call);
}

/** Feeds a host's histogram until the returned function is called (when the host closes). */
export function observeFhirCalls(histogram: Histogram<'method' | 'resource_type' | 'outcome'>): () => void {
  const listener: FhirCallListener = ({ method, resourceType, outcome, seconds }) =>
    histogram.observe({ method, resource_type: resourceType, outcome }, seconds);
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * What a failed call's error says about the response: its HTTP status (FhirError's `status`, or a
 * fhir-kit-client error's `response.status`), or `error` when none came.
 */
export function fhirFailureOutcome(error: unknown): string {
  const carrier = error as { response?: { status?: unknown }; status?: unknown } | null;
  const status = carrier?.response?.status ?? carrier?.status;
  return typeof status === 'number' ? String(status) : 'error';
}
