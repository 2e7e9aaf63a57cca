import { loadConfig } from '@radflow/config';

export interface SearchBundle<T = Record<string, unknown>> {
  total?: number;
  entry?: { resource: T }[];
}

/** A FHIR search on the real server the tests run against. */
export async function fhirSearch<T = Record<string, unknown>>(query: string): Promise<SearchBundle<T>> {
  const response = await fetch(`${loadConfig().fhir.baseUrl}/${query}`, {
    headers: { accept: 'application/fhir+json' },
  });
  if (!response.ok) throw new Error(`FHIR search ${query} answered ${response.status}`);
  return (await response.json()) as SearchBundle<T>;
}

/** Polls a search every `pollMs` until it returns at least `count` resources. */
export async function waitForFhir<T = Record<string, unknown>>(
  query: string,
  count = 1,
  timeoutMs = 60_000,
  pollMs = 300,
): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bundle = await fhirSearch<T>(query);
    const resources = (bundle.entry ?? []).map((entry) => entry.resource);
    if (resources.length >= count) return resources;
    if (Date.now() > deadline) throw new Error(`FHIR search ${query} found ${resources.length} of ${count}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
