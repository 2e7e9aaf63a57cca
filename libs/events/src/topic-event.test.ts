import { eventSchemas, payloadSchemaFor, type ReportTriagedPayload } from '@radflow/schemas';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { EventValidator } from './event-validator.ts';
import type { RecordOutput } from './kafka-bus.ts';
import { createTopicEvent, type TopicEvent } from './topic-event.ts';
import { eventTypeOfTopic, Topics, type EventTopic, type TopicPayloads } from './topics.ts';

const origin = { sourceMessageId: 'MSG-1', traceId: 'trace-1', producer: 'test' };
const triaged: ReportTriagedPayload = {
  report: {
    accession: 'ACC-1',
    reportVersion: 1,
    patient: { key: 'p-key' },
    procedure: { code: 'CXR' },
    status: 'final',
    text: 'No acute findings.',
    source: { kind: 'hl7v2', messageId: 'MSG-1' },
  } as unknown as ReportTriagedPayload['report'],
  triage: {
    priority: { level: 'routine', reasons: [] },
    abnormalities: [],
    devices: [],
    labeler: { name: 'rules', version: '1' },
    triagedAt: '2026-01-01T00:00:00Z',
  },
};

describe('the typed topic map', () => {
  it('has a payload schema for every event topic, named after the topic (so the map cannot drift)', () => {
    const eventTopics = Object.keys(eventTypeOfTopic);
    expect(eventTopics.length).toBeGreaterThan(0);
    for (const topic of eventTopics) {
      const { type, schemaVersion } = eventTypeOfTopic[topic as EventTopic];
      expect(`${type}.v${schemaVersion}`).toBe(topic);
      const schema = payloadSchemaFor(type, schemaVersion);
      expect(schema.$id).toBe(`https://radflow.dev/schemas/events/${topic}.schema.json`);
      expect(typeof schema.title).toBe('string');
    }
    // ...and every event schema has its topic: the generated map's keys are exactly the event topics.
    const eventSchemaNames = Object.keys(eventSchemas).filter((name) => name.startsWith('rad.'));
    expect(eventTopics.sort()).toEqual(eventSchemaNames.sort());
    expect(payloadSchemaFor('rad.report.triaged', 1).title).toBe('ReportTriagedPayload');
  });

  it('createTopicEvent envelopes a payload with the type and version its topic carries', () => {
    const event = createTopicEvent(Topics.reportTriaged, triaged, origin);
    expect(event).toMatchObject({
      type: 'rad.report.triaged',
      schemaVersion: 1,
      sourceMessageId: 'MSG-1',
      traceId: 'trace-1',
      producer: 'test',
      payload: triaged,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(() =>
      new EventValidator().assertValidEvent(createTopicEvent(Topics.feedback, {} as never, origin)),
    ).toThrow(/rad\.feedback\.v1/);
  });

  it('types the payload by the topic', () => {
    expectTypeOf<TopicPayloads[typeof Topics.reportTriaged]>().toEqualTypeOf<ReportTriagedPayload>();
    expectTypeOf(createTopicEvent(Topics.reportTriaged, triaged, origin)).toEqualTypeOf<
      TopicEvent<typeof Topics.reportTriaged>
    >();
    expectTypeOf<EventTopic>().toEqualTypeOf<
      | typeof Topics.reportFinalized
      | typeof Topics.reportTriaged
      | typeof Topics.reportEnriched
      | typeof Topics.feedback
      | typeof Topics.modelEvents
    >();
    // A wrong payload for a topic does not compile: tsc checks these lines (never run), and each @ts-expect-error
    // fails the typecheck if its line compiles.
    const typeChecksOnly = (): void => {
      // @ts-expect-error a report.finalized payload (no triage) is not a report.triaged payload
      createTopicEvent(Topics.reportTriaged, { report: triaged.report }, origin);
      // @ts-expect-error nor is a feedback payload an enriched one
      createTopicEvent(Topics.reportEnriched, {} as TopicPayloads[typeof Topics.feedback], origin);
      // @ts-expect-error inbound topics carry raw bytes, not events
      createTopicEvent(Topics.inboundHl7v2, triaged, origin);
      const output = {} as RecordOutput;
      const event = createTopicEvent(Topics.reportTriaged, triaged, origin);
      // @ts-expect-error a triaged event cannot be published on the enriched topic
      void output.publishEvent(Topics.reportEnriched, 'key', event);
      void output.publishEvent(Topics.reportTriaged, 'key', event);
    };
    expect(typeChecksOnly).toBeTypeOf('function');
  });
});
