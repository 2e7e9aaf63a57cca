import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { PermanentError, TransientError, Topics, type TopicEvent, type RecordOutput } from '@radflow/events';
import {
  addSummaries,
  buildWritebackBundle,
  planSupersession,
  planTransactionSteps,
  resolvedIdentities,
  retirementBundle,
  writtenAiResources,
  resolveStepReferences,
  summarizeTransactionResponse,
  supersessionSearch,
  writebackKey,
  type TransactionSummary,
} from '@radflow/fhir';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { buildAiResultsOru } from '@radflow/hl7';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import type { FhirWriter } from './fhir-writer.ts';
import { ReferenceResolver } from './reference-resolver.ts';
import { FHIR_WRITER } from './tokens.ts';

export const WRITEBACK_CONSUMER = 'writeback';

/**
 * One enriched report → one FHIR writeback bundle (AI DiagnosticReport, Observations, priority Task, model
 * Device, Provenance; earlier versions retired), sent as one transaction or as ordered steps within the
 * server's limits; then the ORU^R01 for the RIS. The whole runs under the idempotency ledger's claim (one atomic
 * statement: no second worker writes the same key meanwhile); the ORU is committed with the consumed offset in one
 * Kafka transaction and the claim is marked done after that commit. The FHIR steps are safe to repeat (conditional
 * creates), so a failure anywhere repeats only them: the ORU is sent once, whatever fails when (the ledger's
 * database included: a done mark that fails after the commit is retried, it never re-sends the ORU).
 */
@Injectable()
export class WritebackService {
  private readonly ledger: IdempotencyLedger;
  private readonly logger: Logger;
  /** Where the patient and the source report are on the server (literal references only to what exists). */
  private readonly references: ReferenceResolver;

  constructor(
    @Inject(FHIR_WRITER) private readonly fhir: FhirWriter,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(CONFIG) private readonly config: RadflowConfig,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.logger = logger.child({ stage: WRITEBACK_CONSUMER });
    this.references = new ReferenceResolver(fhir, config.fhir);
  }

  async write(event: TopicEvent<typeof Topics.reportEnriched>, output: RecordOutput): Promise<void> {
    const enriched = event.payload;
    const key = writebackKey(enriched);
    const ids = {
      eventId: event.id,
      traceId: event.traceId,
      keyHash: logHash(key),
      accessionHash: logHash(enriched.report.accession),
    };

    const written = await this.ledger.runOnce(
      WRITEBACK_CONSUMER,
      key,
      async () => {
        const found = await this.fhir.search(supersessionSearch(enriched));
        const supersession = planSupersession(enriched, found);
        const summary = await this.send(
          buildWritebackBundle(enriched, {
            supersession,
            targets: await this.references.targets(enriched.report),
            identifierSystems: this.config.fhir.identifierSystems,
          }),
        );

        // The FHIR write is durable: now tell the RIS, keyed by patient so one patient's results stay in order.
        await this.publishOru(event, output);
        this.logger.info(
          {
            ...ids,
            ...summary,
            degraded: enriched.enrichment.degraded,
            supersededOnArrival: supersession.supersededOnArrival,
          },
          'enrichment written back',
        );
        return { ...summary, supersededOnArrival: supersession.supersededOnArrival };
      },
      output,
    );
    if (!written) this.logger.info(ids, 'enrichment already written back, skipped');
  }

  /** The bundle as one transaction, or as ordered steps where the server caps transaction size. */
  private async send(bundle: Bundle): Promise<TransactionSummary> {
    const resolved = new Map<string, string>();
    const written: Resource[] = [];
    let summary: TransactionSummary = { created: 0, alreadyPresent: 0, retired: 0 };
    for (const planned of planTransactionSteps(bundle, this.fhir.limits)) {
      const step = resolveStepReferences(planned, resolved);
      let response: Bundle;
      try {
        response = await this.fhir.transaction(step);
      } catch (error) {
        // Rejected for good: retire what the earlier steps wrote before the message goes to the DLQ.
        if (error instanceof PermanentError && written.length > 0) {
          for (const undo of planTransactionSteps(retirementBundle(written), this.fhir.limits))
            await this.fhir.transaction(undo);
        }
        throw error;
      }
      for (const [fullUrl, reference] of resolvedIdentities(step, response)) resolved.set(fullUrl, reference);
      written.push(...writtenAiResources(step, response));
      summary = addSummaries(summary, summarizeTransactionResponse(step, response));
    }
    return summary;
  }

  private async publishOru(
    event: TopicEvent<typeof Topics.reportEnriched>,
    output: RecordOutput,
  ): Promise<void> {
    const oru = buildAiResultsOru(event.payload);
    try {
      await output.publish(Topics.outboundHl7v2, [
        {
          key: event.payload.report.patient.key,
          value: oru,
          headers: {
            'content-type': 'x-application/hl7-v2+er7; charset=utf-8',
            'radflow-trace-id': event.traceId,
            'radflow-source-event-id': event.id,
          },
        },
      ]);
    } catch (error) {
      throw new TransientError('could not publish the outbound ORU', 'KAFKA_PUBLISH_FAILED', {
        cause: error,
      });
    }
  }
}
