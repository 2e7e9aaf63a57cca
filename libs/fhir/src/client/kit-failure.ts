import { failureOfAnswer, failureOfNoAnswer, unexpectedAnswer } from './classify.ts';
import type { FhirError } from './fhir-error.ts';

/** What fhir-kit-client throws when the server answered: a non-2xx status, or a body that is not JSON. */
interface KitAnswerError {
  response: { status: number; data: unknown };
  config?: { headers?: Headers };
}

function isKitAnswerError(error: unknown): error is KitAnswerError {
  return typeof (error as KitAnswerError | null)?.response?.status === 'number';
}

/**
 * The FhirError a fhir-kit-client call failed with. Its own error is never kept as the cause: its message holds
 * the request URL, which holds identifiers.
 */
export function failureOfKitCall(
  error: unknown,
  interaction: string,
  timeoutMs: number,
  now: number,
): FhirError {
  if (!isKitAnswerError(error)) return failureOfNoAnswer(error, interaction, timeoutMs);
  const { status, data } = error.response;
  // fhir-kit-client throws on a 2xx too when its body is not JSON (then `data` is the text).
  if (status >= 200 && status < 300)
    return unexpectedAnswer(interaction, `HTTP ${status} with a body that is not JSON`);
  const retryAfter = error.config?.headers?.get('retry-after') ?? null;
  return failureOfAnswer({ interaction, status, body: data, retryAfter, now });
}
