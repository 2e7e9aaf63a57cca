import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, repoRoot } from '@radflow/config';

export interface SampleMessage {
  name: string;
  kind: 'hl7v2' | 'fhir';
  bytes: Buffer;
}

const demoDir = join(repoRoot, 'test/fixtures/demo');

/**
 * The demo's inbound messages: our HL7 samples, then the US Core and FHIR core DiagnosticReport examples in
 * data/interop/fhir (committed with the repository, so always sent).
 * Each run stamps its own message ids and accessions: radflow processes a message once (effectively-once),
 * so a second demo must send new messages, as a hospital would.
 */
export function loadSampleFeed(runTag: string, fhirDir = dataPath('interop/fhir')): SampleMessage[] {
  const hl7 = filesEndingIn(demoDir, '.hl7').map((file) => ({
    name: file,
    kind: 'hl7v2' as const,
    bytes: stampHl7(readFileSync(join(demoDir, file), 'latin1'), runTag),
  }));
  const fhir = filesEndingIn(fhirDir, '.json').map((file) => ({
    name: file,
    kind: 'fhir' as const,
    bytes: stampFhir(readFileSync(join(fhirDir, file), 'utf8'), runTag),
  }));
  if (fhir.length === 0) throw new Error(`no FHIR examples (*.json) in ${fhirDir}`);
  return [...hl7, ...fhir];
}

/** The names of a folder's files with this ending, in order: the order they are sent in. */
function filesEndingIn(dir: string, ending: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(ending))
    .sort();
}

function stampHl7(message: string, runTag: string): Buffer {
  return Buffer.from(message.replace(/\b(ACC|DEMO|PLC)(\d+)\b/g, `$1$2-${runTag}`), 'latin1');
}

function stampFhir(json: string, runTag: string): Buffer {
  const resource = JSON.parse(json) as { id?: string; identifier?: { value?: string }[] };
  if (resource.id) resource.id = `${resource.id}-${runTag}`;
  for (const identifier of resource.identifier ?? [])
    if (identifier.value) identifier.value = `${identifier.value}-${runTag}`;
  return Buffer.from(JSON.stringify(resource));
}
