import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@radflow/schemas';

/** The Kafka record and HTTP header that carries an event's or a message's trace id across radflow. */
export const TRACE_ID_HEADER = 'radflow-trace-id';

export type Envelope<TPayload> = Omit<EventEnvelope, 'payload'> & { payload: TPayload };

export interface EnvelopeOrigin {
  sourceMessageId: string;
  traceId?: string;
  producer: string;
}

/** Wraps a payload in the event envelope; the trace id follows the inbound message through every stage. */
export function createEnvelope<TPayload>(
  type: string,
  schemaVersion: number,
  payload: TPayload,
  origin: EnvelopeOrigin,
): Envelope<TPayload> {
  return {
    id: randomUUID(),
    type,
    schemaVersion,
    sourceMessageId: origin.sourceMessageId,
    traceId: origin.traceId ?? randomUUID(),
    producedAt: new Date().toISOString(),
    producer: origin.producer,
    payload,
  };
}
