import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from '@radflow/config';
import { Topics } from '@radflow/events';

export interface SampleMessage {
  name: string;
  topic: string;
  bytes: Buffer;
}

const demoDir = `${repoRoot}test/fixtures/demo/`;
const sharedFhirDir = `${repoRoot}../shared/data/interop/fhir/`;

/** The demo's inbound messages: our HL7 samples, then the shared FHIR examples when ../shared is present. */
export function loadSampleFeed(): SampleMessage[] {
  const hl7 = readdirSync(demoDir)
    .filter((file) => file.endsWith('.hl7'))
    .sort()
    .map((file) => ({ name: file, topic: Topics.inboundHl7v2, bytes: readFileSync(demoDir + file) }));
  const fhir = existsSync(sharedFhirDir)
    ? readdirSync(sharedFhirDir)
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => ({ name: file, topic: Topics.inboundFhir, bytes: readFileSync(sharedFhirDir + file) }))
    : [];
  return [...hl7, ...fhir];
}
