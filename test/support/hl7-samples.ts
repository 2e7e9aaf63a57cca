import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const demoDir = new URL('../fixtures/demo/', import.meta.url);

/**
 * A demo HL7 message made unique for one test run: fresh control id, accession and patient id, so runs
 * against a long-lived broker and FHIR server never see each other's reports.
 */
export function uniqueHl7Sample(
  file: string,
  runTag = randomUUID().slice(0, 8),
): { bytes: Buffer; accession: string; controlId: string } {
  const original = readFileSync(new URL(file, demoDir), 'latin1');
  const accessionMatch = /\|(ACC\d+)\|/.exec(original);
  const controlMatch = /\|(DEMO\d+)\|/.exec(original);
  const patientMatch = /\|(MRN\d+)\^/.exec(original);
  if (!accessionMatch || !controlMatch || !patientMatch)
    throw new Error(`${file} lacks the ACC/DEMO/MRN ids this helper rewrites`);
  const accession = `${accessionMatch[1]}-${runTag}`;
  const controlId = `${controlMatch[1]}-${runTag}`;
  const text = original
    .replaceAll(accessionMatch[1]!, accession)
    .replaceAll(controlMatch[1]!, controlId)
    .replaceAll(patientMatch[1]!, `${patientMatch[1]}${runTag}`);
  return { bytes: Buffer.from(text, 'latin1'), accession, controlId };
}
