import { createEnvelope, type Envelope, type EnvelopeOrigin } from './envelope.ts';
import { eventTypeOfTopic, type EventTopic, type TopicPayloads } from './topics.ts';

/** The event an event topic carries: its envelope with the payload type the topic's schema gives. */
export type TopicEvent<T extends EventTopic> = Envelope<TopicPayloads[T]>;

/**
 * Wraps a payload in the envelope of the event its topic carries (type and schema version from eventTypeOfTopic), so
 * the payload's type follows from the topic: `createTopicEvent(Topics.reportTriaged, payload, origin)`.
 */
export function createTopicEvent<T extends EventTopic>(
  topic: T,
  payload: TopicPayloads[T],
  origin: EnvelopeOrigin,
): TopicEvent<T> {
  const carried = eventTypeOfTopic[topic] as (typeof eventTypeOfTopic)[T] | undefined;
  if (!carried) throw new Error(`topic ${topic} carries no enveloped events`);
  const { type, schemaVersion } = carried;
  return createEnvelope(type, schemaVersion, payload, origin);
}
