import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import type { TopicEvent, RecordOutput, Topics } from '@radflow/events';
import { ReferenceResolver, worklistTaskKey, writeWorklistTask, type FhirClient } from '@radflow/fhir';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import type { FhirWriter } from '../fhir-writer.ts';
import { FHIR_WRITER } from '../tokens.ts';

export const WORKLIST_TASK_CONSUMER = 'worklist-task';

/**
 * rad.report.triaged.v1 → the FHIR worklist Task (rules' priority) of one report version, written as soon as the
 * report is read, ahead of the AI draft. Once per report version: the ledger's claim, and a conditional create on
 * the Task's key tag in case a claim's done mark was lost after the write.
 */
@Injectable()
export class WorklistTaskService {
  private readonly ledger: IdempotencyLedger;
  private readonly logger: Logger;
  private readonly references: ReferenceResolver;
  private readonly fhir: FhirClient;

  constructor(
    @Inject(FHIR_WRITER) fhir: FhirWriter,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(CONFIG) private readonly config: RadflowConfig,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.logger = logger.child({ stage: WORKLIST_TASK_CONSUMER });
    this.fhir = fhir.client;
    this.references = new ReferenceResolver(fhir.client, config.fhir);
  }

  async write(event: TopicEvent<typeof Topics.reportTriaged>, output: RecordOutput): Promise<void> {
    const triaged = event.payload;
    const key = worklistTaskKey(triaged.report);
    await this.ledger.runOnce(
      WORKLIST_TASK_CONSUMER,
      key,
      async () => {
        const summary = await writeWorklistTask(this.fhir, this.references, triaged, {
          identifierSystems: this.config.fhir.identifierSystems,
        });
        this.logger.info(
          {
            eventId: event.id,
            traceId: event.traceId,
            accessionHash: logHash(triaged.report.accession),
            priority: triaged.triage.priority.level,
            ...summary,
          },
          'worklist task written',
        );
        return { ...summary };
      },
      output,
    );
  }
}
