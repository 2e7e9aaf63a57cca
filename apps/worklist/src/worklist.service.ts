import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { createTopicEvent, Topics, type KafkaBus } from '@radflow/events';
import { accessionKey } from '@radflow/feedback';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { WorklistQueries, type Database } from '@radflow/store';
import {
  feedbackForAction,
  reportView,
  reviewStateOf,
  sortRows,
  stateOfVerdicts,
  worklistRow,
  type ReportView,
  type ReviewAction,
  type ReviewState,
  type WorklistRow,
} from '@radflow/worklist-core';
import type { WorklistUser } from './auth/users.ts';
import { FhirResourceLookup, type FhirResourcesResult } from './fhir-resources.ts';
import { IdempotentRequests } from './idempotency.ts';
import { opaqueId } from './opaque-id.ts';

/** How many exams the list holds (the most recently enriched). */
export const WORKLIST_LIMIT = 500;

export interface SubmittedReview {
  feedbackId: string;
  state: ReviewState;
}

/**
 * The worklist's reads (latest enrichment per exam, review state from reviewers' feedback, FHIR resources written)
 * and its one write: a review action, published as rad.feedback.v1 (the feedback API's event), attributed to the
 * signed-in user, once per idempotency key. Logs carry hashes only.
 */
@Injectable()
export class WorklistService {
  private readonly queries: WorklistQueries;
  private readonly fhir: FhirResourceLookup;
  private readonly submitted = new IdempotentRequests<SubmittedReview>();
  private readonly logger: Logger;
  private readonly idKey: string;

  constructor(
    @Inject(CONFIG) config: RadflowConfig,
    @Inject(DATABASE) database: Database,
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.idKey = config.worklist.idSecret;
    this.queries = new WorklistQueries(database, this.idKey);
    this.fhir = new FhirResourceLookup(config.fhir);
    this.logger = logger.child({ stage: 'worklist' });
  }

  idOf(accession: string): string {
    return opaqueId(this.idKey, accession);
  }

  async rows(): Promise<WorklistRow[]> {
    const latest = await this.queries.latest(WORKLIST_LIMIT);
    const verdicts = await this.queries.verdicts(latest.map((l) => l.enriched.report.accession));
    return sortRows(
      latest.map(({ id, enriched }) => {
        const mine = verdicts.filter((v) => v.accession === enriched.report.accession);
        return worklistRow(enriched, { id, ...reviewStateOf(mine) });
      }),
    );
  }

  private async find(id: string): Promise<{ enriched: ReportEnrichedPayload; row: WorklistRow } | undefined> {
    const found = await this.queries.byId(id);
    if (!found) return undefined;
    const verdicts = await this.queries.verdicts([found.enriched.report.accession]);
    return { enriched: found.enriched, row: worklistRow(found.enriched, { id, ...reviewStateOf(verdicts) }) };
  }

  async report(id: string): Promise<ReportView | undefined> {
    const found = await this.find(id);
    return found && reportView(found.enriched, found.row);
  }

  async fhirResources(id: string): Promise<FhirResourcesResult | undefined> {
    const found = await this.queries.byId(id);
    return found && this.fhir.written(found.enriched);
  }

  /**
   * Publishes the action as explicit feedback (feedbackId = the idempotency key); resolves once the broker has it.
   * undefined when the id names no exam.
   */
  async review(
    id: string,
    action: ReviewAction,
    user: WorklistUser,
    idempotencyKey: string,
  ): Promise<SubmittedReview | undefined> {
    const found = await this.find(id);
    if (!found) return undefined;
    const { answer, replayed } = this.submitted.run(`${user.username}|${idempotencyKey}`, async () => {
      const payload = feedbackForAction(action, found.enriched, {
        reviewerId: user.username,
        feedbackId: idempotencyKey,
        submittedAt: new Date().toISOString(),
      });
      const event = createTopicEvent(Topics.feedback, payload, {
        sourceMessageId: payload.feedbackId,
        producer: 'worklist',
      });
      await this.bus.publishEvent(Topics.feedback, accessionKey(payload.accession), event);
      return {
        feedbackId: payload.feedbackId,
        state: stateOfVerdicts(payload.outputs.map((o) => o.verdict)),
      };
    });
    const result = await answer;
    this.logger.info(
      {
        accessionHash: logHash(found.enriched.report.accession),
        reviewerHash: logHash(user.username),
        feedbackId: result.feedbackId,
        action: action.kind,
        replayed,
      },
      replayed ? 'review already submitted' : 'review submitted',
    );
    return result;
  }
}
