import { createHash } from 'node:crypto';

/** The radiologist who signed a report (HL7 OBR-32 principal result interpreter, FHIR resultsInterpreter): an id, never a name. */
export interface ResultInterpreter {
  id: string;
  /** The id's assigning authority or identifier system, when the sender gives one. */
  system?: string;
}

const KEY_PREFIX = 'radflow-radiologist-v1:';
const MODEL_SUFFIX = '~r-';

/**
 * A stable, non-reversible key for a signing radiologist: it names their feedback, their adapter and their logs
 * without carrying the staff identifier itself (logs hold ids and hashes only). 16 hex digits.
 */
export function radiologistKey(interpreter: ResultInterpreter): string {
  const id = interpreter.id.trim();
  const system = (interpreter.system ?? '').trim().toLowerCase();
  return createHash('sha256').update(`${KEY_PREFIX}${system}|${id}`).digest('hex').slice(0, 16);
}

/**
 * The registry name of one radiologist's model: the shared model's name with the radiologist's key appended, so the
 * registry's per-name deployments, gate decisions and rollback history serve per-radiologist adapters unchanged.
 */
export function radiologistModelName(sharedModelName: string, key: string): string {
  return `${sharedModelName}${MODEL_SUFFIX}${key}`;
}

/** The shared model and radiologist key of a per-radiologist registry name; undefined for a shared model's name. */
export function parseRadiologistModelName(
  name: string,
): { sharedModelName: string; key: string } | undefined {
  const at = name.lastIndexOf(MODEL_SUFFIX);
  if (at <= 0) return undefined;
  const key = name.slice(at + MODEL_SUFFIX.length);
  if (!/^[0-9a-f]{16}$/.test(key)) return undefined;
  return { sharedModelName: name.slice(0, at), key };
}
