import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger } from '@radflow/config';
import { PermanentError, TransientError, Topics, type Envelope, type KafkaBus } from '@radflow/events';
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
import { DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { IdempotencyLedger, isTransientDatabaseError, type Database } from '@radflow/store';
import type { FhirWriter } from './fhir-writer.ts';
import { FHIR_WRITER } from './tokens.ts';

export const WRITEBACK_CONSUMER = 'writeback';

/** Database faults that mean "try again" become TransientError; the rest keep their class. */
async function ledgerStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isTransientDatabaseError(error))
      throw new TransientError('idempotency ledger unavailable', 'DATABASE_UNAVAILABLE', { cause: error });
    throw error;
  }
}

/**
 * One enriched report → one FHIR writeback bundle (AI DiagnosticReport, Observations, priority Task, model
 * Device, Provenance; earlier versions retired), sent as one transaction or as ordered steps within the
 * server's limits; then the ORU^R01 for the RIS; then the ledger entry. Each step is safe to repeat
 * (conditional creates, deterministic ORU control id), so a crash anywhere only repeats work.
 */
@Injectable()
export class WritebackService {
  private readonly ledger: IdempotencyLedger;
  private readonly logger: Logger;

  constructor(
    @Inject(FHIR_WRITER) private readonly fhir: FhirWriter,
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.logger = logger.child({ stage: WRITEBACK_CONSUMER });
  }

  async write(event: Envelope<ReportEnrichedPayload>): Promise<void> {
    const enriched = event.payload;
    const key = writebackKey(enriched);
    const ids = {
      eventId: event.id,
      traceId: event.traceId,
      keyHash: logHash(key),
      accessionHash: logHash(enriched.report.accession),
    };

    if (await ledgerStep(() => this.ledger.hasProcessed(WRITEBACK_CONSUMER, key))) {
      this.logger.info(ids, 'enrichment already written back, skipped');
      return;
    }
    const found = await this.fhir.search(supersessionSearch(enriched));
    const supersession = planSupersession(enriched, found);
    const summary = await this.send(buildWritebackBundle(enriched, { supersession }));

    // The FHIR write is durable: now tell the RIS, keyed by patient so one patient's results stay in order.
    await this.publishOru(event);
    await ledgerStep(() =>
      this.ledger.recordProcessed(WRITEBACK_CONSUMER, key, {
        ...summary,
        supersededOnArrival: supersession.supersededOnArrival,
      }),
    );
    this.logger.info(
      {
        ...ids,
        ...summary,
        degraded: enriched.enrichment.degraded,
        supersededOnArrival: supersession.supersededOnArrival,
      },
      'enrichment written back',
    );
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

  private async publishOru(event: Envelope<ReportEnrichedPayload>): Promise<void> {
    const oru = buildAiResultsOru(event.payload);
    try {
      await this.bus.publish(Topics.outboundHl7v2, [
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
