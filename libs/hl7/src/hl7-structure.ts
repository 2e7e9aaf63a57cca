import { EmptyNode, Message, type HL7Node } from 'node-hl7-client';
import type { Delimiters } from './delimiters.ts';

/** One segment of a parsed message, with where it sits (for operator-facing locations like "OBX[3]"). */
export interface Hl7Segment {
  name: string;
  /** Occurrence among segments of the same name, from 1: "OBX[3]". */
  occurrence: number;
  node: HL7Node;
}

/**
 * A thin, total view over node-hl7-client's parse tree: every accessor returns '' or [] for what is absent
 * and never throws, and values are raw (escape sequences still encoded) so decoding stays in one place.
 * node-hl7-client numbers MSH fields one lower than HL7 does (MSH-1 is the separator itself); this hides that.
 */
export class Hl7Structure {
  readonly segments: Hl7Segment[];

  constructor(
    text: string,
    readonly delimiters: Delimiters,
  ) {
    const message = new Message({
      text,
      separatorField: delimiters.field,
      separatorComponent: delimiters.component,
      separatorRepetition: delimiters.repetition,
      separatorEscape: delimiters.escape,
      separatorSubComponent: delimiters.subcomponent,
    });
    const counts = new Map<string, number>();
    this.segments = [];
    for (const node of message as Iterable<HL7Node>) {
      // The name from the raw text: asking the node for field 0 would split every segment into fields.
      const name = raw(node).slice(0, 3);
      const occurrence = (counts.get(name) ?? 0) + 1;
      counts.set(name, occurrence);
      this.segments.push({ name, occurrence, node });
    }
  }

  first(name: string): Hl7Segment | undefined {
    return this.segments.find((s) => s.name === name);
  }
}

export function field(segment: Hl7Segment, n: number): HL7Node {
  return segment.node.get(segment.name === 'MSH' ? n - 1 : n);
}

/** Number of fields the segment carries (its highest field number). */
export function fieldCount(segment: Hl7Segment): number {
  const children = segment.node.length;
  return segment.name === 'MSH' ? children : Math.max(children - 1, 0);
}

export function raw(node: HL7Node): string {
  return node instanceof EmptyNode ? '' : node.toRaw();
}

/** Raw value of a whole field, every repetition included. */
export function fieldRaw(segment: Hl7Segment, n: number): string {
  return raw(field(segment, n));
}

export function repetitions(segment: Hl7Segment, n: number): HL7Node[] {
  const node = field(segment, n);
  if (raw(node) === '') return [];
  return node.toArray();
}

/** Raw component c (from 1) of a repetition (or of the first repetition of a field node). */
export function component(repetition: HL7Node | undefined, c: number): string {
  if (repetition === undefined) return '';
  return raw(repetition.get(c - 1));
}

/** Raw component c of the first repetition of field n. */
export function firstComponent(segment: Hl7Segment, n: number, c = 1): string {
  return component(repetitions(segment, n)[0], c);
}

/** Raw subcomponent s (from 1) of component c of a repetition. */
export function subcomponent(repetition: HL7Node | undefined, c: number, s: number): string {
  if (repetition === undefined) return '';
  return raw(repetition.get(c - 1).get(s - 1));
}
