/**
 * The soak's reports: demo HL7 messages (test/fixtures/demo) made unique per run and report, the way
 * test/support/hl7-samples.ts does: fresh accession, control id, order number and patient id, only letters and
 * digits (so the ids need no escaping in FHIR token searches) and all findable in any output by one pattern.
 */

/** The chest X-rays of the demo feed (the head CT is filtered out and the truncated one dead-lettered by design). */
export const SOAK_TEMPLATES = [
  '01-normal-pa-lateral.hl7',
  '02-pneumothorax-stat.hl7',
  '03-icu-lines-first.hl7',
  '04-icu-lines-followup.hl7',
];

export class SoakSampleError extends Error {
  override readonly name = 'SoakSampleError';
}

/** `SK<RUN>N<index>`: the run id keeps runs apart on the long-lived broker and FHIR server. */
export function soakAccession(run: string, index: number): string {
  return `SK${run}N${index}`;
}

/** One report of the run from a template's text (latin1, segments separated by \r). */
export function soakMessage(
  template: string,
  run: string,
  index: number,
): { bytes: Buffer; accession: string } {
  const accession = /\|(ACC\d+)\|/.exec(template)?.[1];
  const control = /\|(DEMO\d+)\|/.exec(template)?.[1];
  const patient = /\|(MRN\d+)\^/.exec(template)?.[1];
  const placer = /\|(PLC\d+)\|/.exec(template)?.[1];
  if (!accession || !control || !patient) throw new SoakSampleError('template lacks the ACC/DEMO/MRN ids');
  let text = template
    .replaceAll(accession, soakAccession(run, index))
    .replaceAll(control, `SC${run}N${index}`)
    .replaceAll(patient, `SP${run}N${index}`);
  if (placer) text = text.replaceAll(placer, `SO${run}N${index}`);
  return { bytes: Buffer.from(text, 'latin1'), accession: soakAccession(run, index) };
}

/** The first accession of this run named in a record (event JSON, ORU, dead letter), or undefined. */
export function accessionIn(text: string, run: string): string | undefined {
  return new RegExp(`SK${run}N\\d+(?!\\d)`).exec(text)?.[0];
}
