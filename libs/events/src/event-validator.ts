import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { eventSchemas, payloadSchemaFor } from '@radflow/schemas';
import type { Envelope } from './envelope.ts';
import { SchemaValidationError } from './errors.ts';

// ajv-formats is CommonJS with a default export property.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/** Validates envelopes and payloads against schemas/ at every producer and consumer. */
export class EventValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    for (const schema of Object.values(eventSchemas)) this.ajv.addSchema(schema);
  }

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
