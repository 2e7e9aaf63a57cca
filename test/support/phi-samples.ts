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
