import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Logger } from '@radflow/config';
import { Topics, type Envelope } from '@radflow/events';
import { LOGGER } from '@radflow/platform';
import { ModelRegistrySync } from './model-registry-sync.ts';

/** The fields of rad.model.events.v1 this controller reads (the transport has validated the whole event). */
interface ModelEvent {
  kind: string;
  name: string;
  version: string;
}

/**
 * Hot reload on the retrainer's `model.promoted` events (also what a rollback publishes). Each instance reads the
 * topic in a group of its own from the moment it starts (old promotions are not replayed: at startup the instance
 * reads the registry instead), and a promotion of the served model's name makes it serve what the registry says is
 * current; promotions of other names are ignored.
 */
@Controller()
export class ModelEventsController {
  private readonly logger: Logger;

  constructor(
    @Inject(ModelRegistrySync) private readonly registry: ModelRegistrySync,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ stage: 'inference-model-events' });
  }

  @EventPattern(Topics.modelEvents)
  async onModelEvent(@Payload() event: Envelope<ModelEvent>): Promise<void> {
    const { kind, name, version } = event.payload;
    if (kind !== 'model.promoted') return;
    if (name !== this.registry.modelName) {
      this.logger.debug({ name, version, eventId: event.id }, 'promotion of another model, ignored');
      return;
    }
    const result = await this.registry.sync(`event ${event.id}`);
    this.logger.info({ name, version, eventId: event.id, sync: result }, 'model.promoted handled');
  }
}
