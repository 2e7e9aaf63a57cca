import type { Bundle } from '@medplum/fhirtypes';
import { referenceFromLocation } from './transaction-steps.ts';

export interface TransactionSummary {
  /** Resources the server created (201). */
  created: number;
  /** Conditional creates that matched a resource already there (200): a replay. */
  alreadyPresent: number;
  /** Earlier versions' resources marked entered-in-error. */
  retired: number;
  /** Where the AI DiagnosticReport lives on the server, e.g. DiagnosticReport/abc. */
  reportReference?: string;
}

const statusCode = (status: string | undefined) => Number.parseInt(status ?? '', 10);

/** Reads a transaction-response against the request it answers (entries correspond one to one, in order). */
export function summarizeTransactionResponse(request: Bundle, response: Bundle): TransactionSummary {
  const summary: TransactionSummary = { created: 0, alreadyPresent: 0, retired: 0 };
  (request.entry ?? []).forEach((entry, index) => {
    const answer = response.entry?.[index]?.response;
    const status = statusCode(answer?.status);
    if (entry.request?.method === 'PUT') {
      if (status >= 200 && status < 300) summary.retired++;
      return;
    }
    if (status === 201) summary.created++;
    else if (status === 200) summary.alreadyPresent++;
    if (entry.resource?.resourceType === 'DiagnosticReport' && answer?.location) {
      const reference = referenceFromLocation(answer.location);
      if (reference) summary.reportReference = reference;
    }
  });
  return summary;
}

/** The summary of a writeback sent in several steps. */
export function addSummaries(a: TransactionSummary, b: TransactionSummary): TransactionSummary {
  const reportReference = b.reportReference ?? a.reportReference;
  return {
    created: a.created + b.created,
    alreadyPresent: a.alreadyPresent + b.alreadyPresent,
    retired: a.retired + b.retired,
    ...(reportReference ? { reportReference } : {}),
  };
}
