import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import type { TopicEvent, RecordOutput, Topics } from '@radflow/events';
import {
  planWorklistTaskSupersession,
  summarizeTransactionResponse,
  worklistTaskBundle,
  worklistTaskKey,
  worklistTaskSearch,
} from '@radflow/fhir';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import type { FhirWriter } from '../fhir-writer.ts';
import { ReferenceResolver } from '../reference-resolver.ts';
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

  constructor(
    @Inject(FHIR_WRITER) private readonly fhir: FhirWriter,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(CONFIG) private readonly config: RadflowConfig,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.logger = logger.child({ stage: WORKLIST_TASK_CONSUMER });
    this.references = new ReferenceResolver(fhir, config.fhir);
  }

  async write(event: TopicEvent<typeof Topics.reportTriaged>, output: RecordOutput): Promise<void> {
    const triaged = event.payload;
    const key = worklistTaskKey(triaged.report);
    await this.ledger.runOnce(
      WORKLIST_TASK_CONSUMER,
      key,
      async () => {
        const [targets, found] = await Promise.all([
          this.references.targets(triaged.report),
          this.fhir.search(worklistTaskSearch(triaged.report)),
        ]);
        const supersession = planWorklistTaskSupersession(triaged, found);
        const bundle = worklistTaskBundle(triaged, {
          targets,
          identifierSystems: this.config.fhir.identifierSystems,
          ...supersession,
        });
        const summary = summarizeTransactionResponse(bundle, await this.fhir.transaction(bundle));
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
