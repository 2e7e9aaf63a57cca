import { createHash } from 'node:crypto';

export interface PatientIdentifier {
  /** Assigning authority (HL7 PID-3.4, mapped to a FHIR system where configured) or FHIR Identifier.system. */
  system?: string;
  value: string;
}

/**
 * Salted SHA-256 (hex) of a patient identifier: the Kafka key and the only patient id logs may carry.
 * The system takes part so that MRN 123 of two hospitals are two patients; feeds that should meet
 * (HL7 and FHIR of one EHR) must map their assigning authority to the same system.
 */
export function patientKey(identifier: PatientIdentifier, salt: string): string {
  if (salt.length === 0) throw new Error('patientKey needs a non-empty salt (RADFLOW patient key salt)');
  return createHash('sha256')
    .update(salt, 'utf8')
    .update('\u0000')
    .update(identifier.system ?? '', 'utf8')
    .update('|')
    .update(identifier.value, 'utf8')
    .digest('hex');
}
