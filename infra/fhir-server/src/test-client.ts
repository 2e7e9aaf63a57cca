import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

export interface FhirHttpResult<T extends Resource = Resource> {
  status: number;
  headers: Headers;
  body: T;
}

/** Minimal JSON-over-HTTP helper for the tests: a real client round trip, no router shortcuts. */
export function fhirClient(baseUrl: string) {
  async function call<T extends Resource = Resource>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<FhirHttpResult<T>> {
    const res = await fetch(`${baseUrl}/${path}`, {
      method,
      headers: { accept: 'application/fhir+json', 'content-type': 'application/fhir+json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }
  return {
    call,
    search: (path: string) => call<Bundle>('GET', path),
    outcome: (r: FhirHttpResult) => r.body as unknown as OperationOutcome,
  };
}
