/** Counts what writeback created on the FHIR server for the demo's accessions. */
export async function countWrittenResources(baseUrl: string, accessions: string[]): Promise<string> {
  if (accessions.length === 0) return 'no FHIR resources to show';
  const types = ['DiagnosticReport', 'Observation', 'Task', 'Provenance', 'Device'];
  const counts: string[] = [];
  for (const type of types) {
    const response = await fetch(`${baseUrl}/${type}?_tag=urn:radflow:ai-generated|ai-generated&_summary=count`);
    if (!response.ok) return `FHIR server answered ${response.status} for ${type}`;
    const bundle = (await response.json()) as { total?: number };
    counts.push(`${type} ${bundle.total ?? 0}`);
  }
  return `FHIR server ${baseUrl}: AI-generated resources — ${counts.join(', ')}`;
}
