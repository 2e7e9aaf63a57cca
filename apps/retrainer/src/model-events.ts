import type { Logger } from '@radflow/config';
import { createTopicEvent, Topics, type KafkaBus } from '@radflow/events';
import type { ModelEventPayload } from '@radflow/schemas';

export type ModelEvent = Omit<ModelEventPayload, 'occurredAt'>;

/**
 * Publishes the model lifecycle on rad.model.events.v1 (validated against its schema before it leaves), keyed by
 * model name so one model's events stay in order, and mirrors each one in the logs (numbers and ids only).
 */
export class ModelEvents {
  constructor(
    private readonly bus: KafkaBus,
    private readonly logger: Logger,
  ) {}

  async publish(event: ModelEvent): Promise<void> {
    const payload: ModelEventPayload = { ...event, occurredAt: new Date().toISOString() };
    const envelope = createTopicEvent(Topics.modelEvents, payload, {
      sourceMessageId: event.runId ?? `${event.name}@${event.version}`,
      ...(event.runId ? { traceId: event.runId } : {}),
      producer: 'retrainer',
    });
    await this.bus.publishEvent(Topics.modelEvents, event.name, envelope);
    const { decision, ...rest } = event;
    this.logger.info(
      {
        ...rest,
        ...(decision ? { outcome: decision.outcome, reasons: decision.reasons } : {}),
        eventId: envelope.id,
      },
      `model event ${event.kind}`,
    );
  }
}
