import { ModelOutputParseError, PromptInputError, UnknownLabelError } from '@radflow/prompts';
import * as runtimeErrors from './errors.ts';

export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

// Typed errors keep their class across the worker boundary, so callers (and the HTTP mapping) see no difference.
const classes: Record<string, { prototype: Error }> = {
  ...runtimeErrors,
  PromptInputError,
  ModelOutputParseError,
  UnknownLabelError,
};

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (
      key !== 'cause' &&
      (value === null || ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value))
    ) {
      fields[key] = value;
    }
  }
  return { name: error.name, message: error.message, fields };
}

export function deserializeError(serialized: SerializedError): Error {
  const known = classes[serialized.name];
  const error = known ? (Object.create(known.prototype) as Error) : new Error(serialized.message);
  Object.assign(error, serialized.fields);
  Object.defineProperty(error, 'message', { value: serialized.message, enumerable: false, writable: true });
  Object.defineProperty(error, 'name', { value: serialized.name, enumerable: false, writable: true });
  Object.defineProperty(error, 'stack', {
    value: `${serialized.name}: ${serialized.message}\n    (in the model worker)`,
    enumerable: false,
    writable: true,
  });
  return error;
}
