import type { UnusedPart } from './obx-content.ts';
import { fieldRaw, type Hl7Segment } from './hl7-structure.ts';

/** One ORDER_OBSERVATION of an ORU^R01: [ORC] OBR {NTE} {OBX {NTE}}, with the patient it belongs to. */
export interface OrderGroup {
  pid: Hl7Segment | undefined;
  orc: Hl7Segment | undefined;
  obr: Hl7Segment;
  /** OBX and NTE segments in message order. */
  content: Hl7Segment[];
}

export interface GroupedMessage {
  groups: OrderGroup[];
  /** Parts outside any order group that cannot belong to a report. */
  unused: UnusedPart[];
}

// Segments that carry header, patient, visit or scheduling data: read where needed, never report text.
const STRUCTURAL = new Set([
  'MSH',
  'SFT',
  'UAC',
  'EVN',
  'PID',
  'PD1',
  'PV1',
  'PV2',
  'NK1',
  'AL1',
  'DG1',
  'IN1',
  'IN2',
  'GT1',
  'ROL',
  'PRT',
  'ORC',
  'OBR',
  'TQ1',
  'TQ2',
  'CTD',
  'CTI',
  'FT1',
  'TXA',
  'SPM',
  'OBX',
  'NTE',
  'DSC',
  'ARV',
  'PRD',
]);

export function groupOrders(segments: readonly Hl7Segment[]): GroupedMessage {
  const groups: OrderGroup[] = [];
  const unused: UnusedPart[] = [];
  let pid: Hl7Segment | undefined;
  let pendingOrc: Hl7Segment | undefined;
  let current: OrderGroup | undefined;
  for (const segment of segments) {
    const at = `${segment.name}[${segment.occurrence}]`;
    switch (segment.name) {
      case 'PID':
        pid = segment;
        current = undefined;
        pendingOrc = undefined;
        break;
      case 'ORC':
        pendingOrc = segment;
        current = undefined;
        break;
      case 'OBR':
        current = { pid, orc: pendingOrc, obr: segment, content: [] };
        groups.push(current);
        pendingOrc = undefined;
        break;
      case 'OBX':
        if (current) current.content.push(segment);
        else unused.push({ location: at, reason: 'OBX before any OBR belongs to no report; not carried' });
        break;
      case 'NTE':
        if (current) current.content.push(segment);
        else
          unused.push({
            location: at,
            reason: 'note outside an order (patient or message level); not part of a report',
          });
        break;
      case 'DSC':
        if (fieldRaw(segment, 1).trim() !== '') {
          unused.push({
            location: at,
            reason: 'continuation pointer: the rest of this message comes in a later message',
          });
        }
        break;
      default:
        if (segment.name.startsWith('Z')) {
          unused.push({ location: at, reason: 'site-specific Z segment; not read' });
        } else if (!STRUCTURAL.has(segment.name)) {
          unused.push({ location: at, reason: `segment ${segment.name} is not read by the ORU^R01 reader` });
        }
    }
  }
  return { groups, unused };
}
