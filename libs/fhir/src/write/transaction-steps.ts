import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { retiredResource } from './supersession.ts';

/**
 * Servers cap transactions: Medplum (the local server) refuses a transaction with conditional creates and
 * more than 8 entries, and one with more than 50 updates. A writeback bundle is therefore sent as ordered
 * steps, each a transaction within the caps: every resource comes after the resources it references (so the
 * AI DiagnosticReport is created only once all its Observations exist), and a reference to a resource created
 * by an earlier step is rewritten to the id the server gave it. Every create stays conditional, so a crash
 * between steps is healed by the replay: what exists is matched, what is missing is created.
 * Updates (retiring an earlier version) come last, after the new resources are in place.
 */
export interface TransactionLimits {
  /** Entries per transaction that contains conditional creates (Medplum: 8). */
  maxConditionalEntries: number;
  /** Update entries per transaction (Medplum: 50). */
  maxUpdates: number;
}

export const MEDPLUM_TRANSACTION_LIMITS: TransactionLimits = { maxConditionalEntries: 8, maxUpdates: 50 };

function referencesIn(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      if (name === 'reference' && typeof inner === 'string') found.add(inner);
      else referencesIn(inner, found);
    }
  }
  return found;
}

/** Entries ordered so each comes after every entry it references (stable: bundle order among equals). */
function dependencyOrder(entries: BundleEntry[]): BundleEntry[] {
  const indexOfUrl = new Map(
    entries.flatMap((entry, index) => (entry.fullUrl ? [[entry.fullUrl, index] as const] : [])),
  );
  const dependsOn = entries.map(
    (entry) =>
      new Set(
        [...referencesIn(entry.resource, new Set())].flatMap((ref) =>
          indexOfUrl.has(ref) ? [indexOfUrl.get(ref)!] : [],
        ),
      ),
  );
  const ordered: BundleEntry[] = [];
  const placed = new Set<number>();
  while (ordered.length < entries.length) {
    const next = entries.findIndex(
      (_, index) => !placed.has(index) && [...dependsOn[index]!].every((d) => placed.has(d) || d === index),
    );
    if (next < 0) throw new Error('writeback bundle has a reference cycle between its entries');
    placed.add(next);
    ordered.push(entries[next]!);
  }
  return ordered;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

const transaction = (entry: BundleEntry[]): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry,
});

/** Splits a writeback bundle into the transactions to send, in order (one when it fits the limits). */
export function planTransactionSteps(
  bundle: Bundle,
  limits: TransactionLimits = MEDPLUM_TRANSACTION_LIMITS,
): Bundle[] {
  const entries = bundle.entry ?? [];
  const updates = entries.filter((entry) => entry.request?.method === 'PUT');
  const creates = dependencyOrder(entries.filter((entry) => entry.request?.method !== 'PUT'));
  const conditional = creates.some((entry) => entry.request?.ifNoneExist);
  if (
    (!conditional || entries.length <= limits.maxConditionalEntries) &&
    updates.length <= limits.maxUpdates
  ) {
    return entries.length > 0 ? [transaction([...creates, ...updates])] : [];
  }
  return [
    ...chunks(creates, conditional ? limits.maxConditionalEntries : Number.MAX_SAFE_INTEGER).map(transaction),
    ...chunks(updates, limits.maxUpdates).map(transaction),
  ];
}

/** The step with references to resources of earlier steps replaced by their server ids. */
export function resolveStepReferences(step: Bundle, resolved: ReadonlyMap<string, string>): Bundle {
  if (resolved.size === 0) return step;
  return JSON.parse(JSON.stringify(step), (name, value: unknown) =>
    name === 'reference' && typeof value === 'string' && resolved.has(value) ? resolved.get(value) : value,
  ) as Bundle;
}

/** `Type/id` from a response location (`[base/]Type/id[/_history/n]`). */
export function referenceFromLocation(location: string | undefined): string | undefined {
  const path = location?.replace(/\/_history\/[^/]*$/, '').split('?')[0];
  const match = path ? /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(path) : null;
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** fullUrl → `Type/id` for every entry of a step the server created or matched. */
export function resolvedIdentities(step: Bundle, response: Bundle): Map<string, string> {
  const resolved = new Map<string, string>();
  (step.entry ?? []).forEach((entry, index) => {
    const answer = response.entry?.[index];
    const reference =
      referenceFromLocation(answer?.response?.location) ??
      (answer?.resource?.id ? `${answer.resource.resourceType}/${answer.resource.id}` : undefined);
    if (entry.fullUrl && reference) resolved.set(entry.fullUrl, reference);
  });
  return resolved;
}

const RETIRABLE = new Set(['DiagnosticReport', 'Observation', 'Task']);

/**
 * The AI resources a step wrote (created, or matched from an earlier failed attempt), with their server ids:
 * what to retire if a later step is rejected. The shared model Device is never among them.
 */
export function writtenAiResources(step: Bundle, response: Bundle): Resource[] {
  return (step.entry ?? []).flatMap((entry, index) => {
    const reference = referenceFromLocation(response.entry?.[index]?.response?.location);
    if (
      entry.request?.method !== 'POST' ||
      !entry.resource ||
      !RETIRABLE.has(entry.resource.resourceType) ||
      !reference
    )
      return [];
    return [{ ...entry.resource, id: reference.split('/')[1] } as Resource];
  });
}

/**
 * Undoes a writeback that a later step's rejection left half-done: the resources already written are marked
 * entered-in-error, so the EHR never shows AI Observations without their report.
 */
export function retirementBundle(resources: Resource[]): Bundle {
  return transaction(
    resources.map((resource) => ({
      resource: retiredResource(resource),
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  );
}
