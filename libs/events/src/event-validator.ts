import { createSchemaAjv, eventSchemas, payloadSchemaFor, type ValidateFunction } from '@radflow/schemas';
import type { Envelope } from './envelope.ts';
import { SchemaValidationError } from './errors.ts';

/** Validates envelopes and payloads against schemas/ at every producer and consumer. */
export class EventValidator {
  private readonly ajv = createSchemaAjv();
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Throws SchemaValidationError (permanent) when the envelope or its payload is invalid. */
  assertValidEvent(event: unknown): asserts event is Envelope<unknown> {
    this.check(eventSchemas['envelope.v1']!.$id, event);
    const { type, schemaVersion, payload } = event as Envelope<unknown>;
    this.check(payloadSchemaFor(type, schemaVersion).$id, payload);
  }

  /** Validates any value against a schema in schemas/ by its $id or file name (e.g. 'radiology-report.v1'). */
  assertValid(schemaName: string, value: unknown): void {
    const schema = eventSchemas[schemaName];
    this.check(schema ? schema.$id : schemaName, value);
  }

  private check(schemaId: string, value: unknown): void {
    let validate = this.compiled.get(schemaId);
    if (!validate) {
      validate = this.ajv.getSchema(schemaId);
      if (!validate) throw new SchemaValidationError(schemaId, ['schema not found']);
      this.compiled.set(schemaId, validate);
    }
    if (!validate(value)) {
      const problems = (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`,
      );
      throw new SchemaValidationError(schemaId, problems);
    }
  }
}
