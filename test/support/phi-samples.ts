import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';

const demoDir = new URL('../fixtures/demo/', import.meta.url);

/** A made-up name no log line could contain by chance: a capital and seven random lower-case letters. */
function uniqueName(): string {
  const letters = Array.from({ length: 7 }, () => String.fromCharCode(97 + randomInt(26))).join('');
  return `${String.fromCharCode(65 + randomInt(26))}${letters}`;
}

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');

export interface SeededReport {
  bytes: Buffer;
  accession: string;
  /** Every identifying string seeded into the message: names, MRN, accession, order number. */
  phi: string[];
}

/**
 * A demo HL7 report carrying identifiers made for one run: the patient's family and given names, MRN, accession
 * and placer order number, and a physician's name in the report text. Patients of `samePatientAs` keep its name and
 * MRN (a follow-up of the same patient).
 */
export function seededHl7Report(file: string, samePatientAs?: SeededReport): SeededReport {
  const original = readFileSync(new URL(file, demoDir), 'latin1');
  const field = (pattern: RegExp) => {
    const found = pattern.exec(original)?.[1];
    if (!found) throw new Error(`${file} lacks ${pattern}`);
    return found;
  };
  // PID-5, the patient's name: family^given.
  const oldName = field(/PID\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|([^|]+)\|/);
  const patient = samePatientAs
    ? { family: samePatientAs.phi[0]!, given: samePatientAs.phi[1]!, mrn: samePatientAs.phi[2]! }
    : { family: uniqueName(), given: uniqueName(), mrn: `MRN${digits(10)}` };
  const physician = uniqueName();
  const accession = `ACC${digits(10)}`;
  const placer = `PLC${digits(10)}`;
  const text = original
    .replaceAll(oldName, `${patient.family}^${patient.given}`)
    .replaceAll(field(/\|(MRN\d+)\^/), patient.mrn)
    .replaceAll(field(/\|(ACC\d+)\|/), accession)
    .replaceAll(field(/\|(PLC\d+)\|/), placer)
    .replaceAll(field(/\|(DEMO\d+)\|/), `DEMO${digits(10)}`)
    // A name in the narrative, as radiologists write them.
    .replace(
      'IMPRESSION:',
      `Findings discussed with Dr. ${physician} by telephone.\\.br\\\\.br\\IMPRESSION:`,
    );
  return {
    bytes: Buffer.from(text, 'latin1'),
    accession,
    phi: [patient.family, patient.given, patient.mrn, accession, placer, physician],
  };
}

const fhirDir = new URL('../fixtures/fhir/', import.meta.url);

/**
 * The FHIR collection Bundle fixture (DiagnosticReport, Patient with SSN and MRN, ServiceRequest with the accession,
 * result Observations) with identifiers made for one run, the patient named, and a physician named in the findings.
 */
export function seededFhirReport(): SeededReport {
  const tag = digits(8);
  const patient = { family: uniqueName(), given: uniqueName(), mrn: `MRN${digits(10)}` };
  const physician = uniqueName();
  const accession = `ACC${digits(10)}`;
  const placer = `ORD${digits(10)}`;
  const ssn = `${digits(3)}-${digits(2)}-${digits(4)}`;
  const text = readFileSync(new URL('bundle-collection-observations-patient-sr.json', fhirDir), 'utf8')
    .replaceAll('MRN8020', patient.mrn)
    .replaceAll('ACC-B20', accession)
    .replaceAll('ORD-20', placer)
    .replaceAll('999-00-1020', ssn)
    // Resource ids of this run, so no earlier run's ledger entry or FHIR resource answers for it.
    .replaceAll(/"(bundle|bdr|pat|sr)-20"/g, `"$1-${tag}"`);
  const bundle = JSON.parse(text) as { entry: Array<{ resource: Record<string, unknown> }> };
  for (const { resource } of bundle.entry) {
    if (resource['resourceType'] === 'Patient')
      resource['name'] = [{ family: patient.family, given: [patient.given] }];
    if (
      resource['resourceType'] === 'Observation' &&
      (resource['code'] as { text?: string }).text === 'Findings'
    )
      resource['valueString'] =
        `${String(resource['valueString'])} Discussed with Dr. ${physician} by telephone.`;
  }
  return {
    bytes: Buffer.from(JSON.stringify(bundle), 'utf8'),
    accession,
    phi: [patient.family, patient.given, patient.mrn, accession, placer, physician, ssn],
  };
}
