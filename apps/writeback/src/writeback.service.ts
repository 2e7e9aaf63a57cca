import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { TRACE_ID_HEADER, TransientError, Topics, type TopicEvent, type RecordOutput } from '@radflow/events';
import { ReferenceResolver, writeBackEnrichment, writebackKey } from '@radflow/fhir';
import { buildAiResultsOru } from '@radflow/hl7';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import type { FhirWriter } from './fhir-writer.ts';
import { FHIR_WRITER } from './tokens.ts';

export const WRITEBACK_CONSUMER = 'writeback';

/**
 * One enriched report → one FHIR writeback bundle (AI DiagnosticReport, Observations, priority Task, model
 * Device, Provenance; earlier versions retired), sent as one transaction or as ordered steps within the
 * server's limits (libs/fhir writeBackEnrichment); then the ORU^R01 for the RIS. The whole runs under the idempotency ledger's claim (one atomic
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
    this.references = new ReferenceResolver(fhir.client, config.fhir);
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

    const done = await this.ledger.runOnce(
      WRITEBACK_CONSUMER,
      key,
      async () => {
        const written = await writeBackEnrichment(this.fhir.client, this.references, enriched, {
          identifierSystems: this.config.fhir.identifierSystems,
          limits: this.fhir.limits,
        });

        // The FHIR write is durable: now tell the RIS, keyed by patient so one patient's results stay in order.
        await this.publishOru(event, output);
        this.logger.info(
          {
            ...ids,
            ...written,
            degraded: enriched.enrichment.degraded,
          },
          'enrichment written back',
        );
        return { ...written };
      },
      output,
    );
    if (!done) this.logger.info(ids, 'enrichment already written back, skipped');
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
            [TRACE_ID_HEADER]: event.traceId,
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
