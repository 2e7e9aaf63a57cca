import { ACCESSION_TAG_SYSTEM, escapeKeyPart, tokenQuery } from '@radflow/fhir';

interface SearchBundle {
  entry?: { resource: { resourceType: string; id: string } }[];
}

/**
 * Waits until writeback has put each accession's AI DiagnosticReport on the FHIR server, then counts what was
 * created for them (the AI report, its Observations, the review Task, the Provenance, and the rules' worklist Task
 * that was written before the draft).
 */
export async function countWrittenResources(
  baseUrl: string,
  accessions: string[],
  timeoutMs = 60_000,
): Promise<string> {
  if (accessions.length === 0) return 'no FHIR resources to show';
  const search = async (query: string): Promise<SearchBundle> => {
    const response = await fetch(`${baseUrl}/${query}`, { headers: { accept: 'application/fhir+json' } });
    if (!response.ok) throw new Error(`FHIR server answered ${response.status} for ${query}`);
    return (await response.json()) as SearchBundle;
  };
  const deadline = Date.now() + timeoutMs;
  const reportIds: string[] = [];
  for (const accession of accessions) {
    for (;;) {
      const found = await search(
        `DiagnosticReport?identifier=${encodeURIComponent(`urn:radflow:accession|${accession}`)}`,
      );
      const report = found.entry?.[0]?.resource;
      if (report) {
        reportIds.push(report.id);
        break;
      }
      if (Date.now() > deadline)
        return `FHIR: no AI DiagnosticReport for accession ${accession} within ${timeoutMs / 1000} s`;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  let observations = 0;
  let tasks = 0;
  let provenances = 0;
  let worklistTasks = 0;
  for (const accession of accessions) {
    worklistTasks +=
      (await search(`Task?${tokenQuery('_tag', ACCESSION_TAG_SYSTEM, escapeKeyPart(accession))}`)).entry
        ?.length ?? 0;
  }
  for (const id of reportIds) {
    const report = (await (await fetch(`${baseUrl}/DiagnosticReport/${id}`)).json()) as {
      result?: unknown[];
    };
    observations += report.result?.length ?? 0;
    tasks += (await search(`Task?focus=DiagnosticReport/${id}`)).entry?.length ?? 0;
    provenances += (await search(`Provenance?target=DiagnosticReport/${id}`)).entry?.length ?? 0;
  }
  return (
    `FHIR server ${baseUrl}: ${reportIds.length} preliminary AI DiagnosticReports (AIAST), ` +
    `${observations} Observations, ${tasks} review Tasks, ${provenances} Provenance records, and ` +
    `${worklistTasks} worklist-priority Tasks (rules, written ahead of the drafts) for this run.`
  );
}
