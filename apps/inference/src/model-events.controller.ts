import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createLogger } from '@radflow/config';
import { Topics, type Envelope } from '@radflow/events';
import { InferenceService } from './inference.service.ts';

interface ModelEvent {
  kind: string;
  name: string;
  version: string;
  modelDir?: string;
}

/**
 * Hot reload on the retrainer's `model.promoted` events (also what a rollback publishes). Every inference
 * instance reads them all, from the beginning: a restarted instance replays the history and ends on the model
 * promoted last.
 */
@Controller()
export class ModelEventsController {
  private readonly logger = createLogger('inference-model-events');

  constructor(@Inject(InferenceService) private readonly inference: InferenceService) {}

  @EventPattern(Topics.modelEvents)
  async onModelEvent(@Payload() event: Envelope<ModelEvent>): Promise<void> {
    const { kind, name, version, modelDir } = event.payload;
    if (kind !== 'model.promoted' || !modelDir) return;
    const serving = this.inference.model;
    if (serving?.name === name && serving.version === version) return;
    try {
      const { previous, current } = await this.inference.reload(modelDir);
      this.logger.info({ previous, current, eventId: event.id }, 'model reloaded on promotion');
    } catch (error) {
      // A promotion the service cannot load (gone from disk, not allowed) must not block the topic: keep serving.
      this.logger.error(
        { name, version, code: (error as { code?: string }).code ?? (error as Error).name },
        'promoted model not loaded',
      );
    }
  }
}
