import type { ResultInterpreter } from '@radflow/reports';
import { repetitions, subcomponent, type Hl7Segment } from './hl7-structure.ts';

/** Longer than any staff id a RIS issues: a longer value is garbage or free text, not an id. */
const MAX_ID_LENGTH = 64;
// eslint-disable-next-line no-control-regex -- control characters are exactly what a garbled field holds
const NOT_IN_AN_ID = /[\s\u0000-\u001f\u007f]/;

/**
 * OBR-32 (principal result interpreter) as the radiologist who signed the report, or undefined. OBR-32 is NDL in
 * v2.3.1 to v2.5.1 (CM in v2.3) and its first component is a CNN: ID & family & given & middle & suffix & prefix &
 * degree & source table & assigning authority namespace (9) & universal id (10) & its type. Only the ID and its
 * assigning authority are read, never the name parts. Senders that write the XCN habit (id^family^given) still have
 * the id first, so it is read the same way; their XCN-9 authority is not (in NDL, component 9 is a location type).
 * Anything that is not an id (empty, the v2 null `""`, whitespace inside, control characters, overlong) gives
 * undefined: attribution is best effort and never fails a report.
 */
export function readResultInterpreter(
  obr: Hl7Segment,
  decode: (raw: string) => string,
  identifierSystems?: Readonly<Record<string, string>>,
): ResultInterpreter | undefined {
  const first = repetitions(obr, 32)[0];
  if (first === undefined) return undefined;
  const id = decode(subcomponent(first, 1, 1));
  if (!isStaffId(id)) return undefined;
  const authority = [decode(subcomponent(first, 1, 9)), decode(subcomponent(first, 1, 10))].find(isStaffId);
  if (authority === undefined) return { id };
  return { id, system: identifierSystems?.[authority] ?? authority };
}

function isStaffId(value: string): boolean {
  return value !== '' && value !== '""' && value.length <= MAX_ID_LENGTH && !NOT_IN_AN_ID.test(value);
}
