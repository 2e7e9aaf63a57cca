import type { EventPayloads } from '@radflow/schemas';

/** Kafka topics radflow reads and writes. Versioned names: a breaking schema change gets a new topic. */
export const Topics = {
  inboundHl7v2: 'rad.inbound.hl7v2.v1',
  inboundFhir: 'rad.inbound.fhir.v1',
  /**
   * The STAT lane: the inbound messages whose reports the rules make STAT, written by the gateway beside the inbound
   * topic (same bytes) so that their worklist Task never waits behind the messages queued before them.
   */
  statLaneHl7v2: 'rad.inbound.hl7v2.stat.v1',
  statLaneFhir: 'rad.inbound.fhir.stat.v1',
  reportFinalized: 'rad.report.finalized.v1',
  /** The rules' worklist priority, published before (and apart from) the model's drafts. */
  reportTriaged: 'rad.report.triaged.v1',
  reportEnriched: 'rad.report.enriched.v1',
  outboundHl7v2: 'rad.outbound.hl7v2.v1',
  feedback: 'rad.feedback.v1',
  modelEvents: 'rad.model.events.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Every topic's dead-letter topic: the original bytes plus the reason in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * The payload type of each event topic, generated from schemas/events (an event topic is named after its payload
 * schema: `<type>.v<schemaVersion>`). Inbound topics carry raw bytes and have no entry.
 */
export type TopicPayloads = EventPayloads;

/** A topic that carries enveloped events (every topic but the inbound ones and their STAT lanes). */
export type EventTopic = keyof TopicPayloads & Topic;

/** Event type and schema version carried by each event topic (inbound topics carry raw bytes, no envelope). */
export const eventTypeOfTopic: Partial<Record<Topic, { type: string; schemaVersion: number }>> &
  Record<EventTopic, { type: string; schemaVersion: number }> = {
  [Topics.reportFinalized]: { type: 'rad.report.finalized', schemaVersion: 1 },
  [Topics.reportTriaged]: { type: 'rad.report.triaged', schemaVersion: 1 },
  [Topics.reportEnriched]: { type: 'rad.report.enriched', schemaVersion: 1 },
  [Topics.feedback]: { type: 'rad.feedback', schemaVersion: 1 },
  [Topics.modelEvents]: { type: 'rad.model.events', schemaVersion: 1 },
};

export function allTopics(): string[] {
  return Object.values(Topics).flatMap((topic) => [topic, deadLetterTopic(topic)]);
}
