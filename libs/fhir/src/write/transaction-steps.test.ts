import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture, storedWriteback } from './enriched-fixture.testing.ts';
import { planSupersession } from './supersession.ts';
import {
  planTransactionSteps,
  referenceFromLocation,
  resolvedIdentities,
  resolveStepReferences,
  retirementBundle,
  writtenAiResources,
} from './transaction-steps.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refs(item, found));
  else if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      if (name === 'reference' && typeof inner === 'string') found.push(inner);
      else refs(inner, found);
    }
  }
  return found;
}

/** Plays a server: assigns ids to a step's entries and answers with Medplum-style locations. */
function answer(step: Bundle, counter: { n: number }): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: (step.entry ?? []).map((entry: BundleEntry) => ({
      response: { status: '201', location: `${entry.resource?.resourceType}/id${++counter.n}/_history/1` },
    })),
  };
}

describe('planTransactionSteps', () => {
  const bundle = buildWritebackBundle(enrichedFixture());

  it('keeps a bundle that fits in one transaction', () => {
    const steps = planTransactionSteps(bundle, { maxConditionalEntries: 100, maxUpdates: 50 });
    expect(steps).toHaveLength(1);
    expect(steps[0]?.entry).toHaveLength(bundle.entry?.length ?? 0);
  });

  it('splits within the caps, each resource after those it references, and every reference resolves', () => {
    const steps = planTransactionSteps(bundle, { maxConditionalEntries: 3, maxUpdates: 50 });
    expect(steps.length).toBe(Math.ceil((bundle.entry?.length ?? 0) / 3));
    expect(steps.every((step) => (step.entry?.length ?? 0) <= 3)).toBe(true);
    const order = steps.flatMap((step) => step.entry ?? []).map((entry) => entry.resource?.resourceType);
    expect(order[0]).toBe('Device');
    expect(order.indexOf('DiagnosticReport')).toBeGreaterThan(order.lastIndexOf('Observation'));
    expect(order.at(-1)).toBe('Provenance');

    const resolved = new Map<string, string>();
    const counter = { n: 0 };
    for (const planned of steps) {
      const step = resolveStepReferences(planned, resolved);
      const ownUrls = new Set((step.entry ?? []).map((entry) => entry.fullUrl));
      for (const reference of refs(step.entry?.map((entry) => entry.resource))) {
        if (reference.startsWith('urn:uuid:')) expect(ownUrls.has(reference), reference).toBe(true);
      }
      for (const [url, reference] of resolvedIdentities(step, answer(step, counter)))
        resolved.set(url, reference);
    }
    expect(resolved.size).toBe(bundle.entry?.length);
  });

  it('sends the retirement of an earlier version last, in update-only transactions', () => {
    const stored = storedWriteback(enrichedFixture({ reportVersion: 'v1' }), 'old');
    const amended = enrichedFixture({ reportVersion: 'v2' });
    const withRetirement = buildWritebackBundle(amended, { supersession: planSupersession(amended, stored) });
    const steps = planTransactionSteps(withRetirement, { maxConditionalEntries: 8, maxUpdates: 4 });
    const methods = steps.map((step) => [...new Set(step.entry?.map((entry) => entry.request?.method))]);
    expect(methods).toEqual([['POST'], ['POST'], ['PUT'], ['PUT']]);
    expect(steps.slice(2).flatMap((step) => step.entry ?? [])).toHaveLength(7);
  });
});

describe('referenceFromLocation', () => {
  it('reads relative and absolute locations, with or without history', () => {
    expect(referenceFromLocation('Observation/abc-1/_history/2')).toBe('Observation/abc-1');
    expect(referenceFromLocation('http://h/fhir/R4/DiagnosticReport/x.y/_history/7')).toBe(
      'DiagnosticReport/x.y',
    );
    expect(referenceFromLocation('Task/t1')).toBe('Task/t1');
    expect(referenceFromLocation(undefined)).toBeUndefined();
  });
});

describe('undoing a half-done writeback', () => {
  it('retires the AI resources earlier steps wrote, never the shared Device', () => {
    const [first] = planTransactionSteps(buildWritebackBundle(enrichedFixture()));
    const written = writtenAiResources(first!, answer(first!, { n: 0 }));
    expect(first?.entry?.map((e) => e.resource?.resourceType)).toEqual([
      'Device',
      ...Array(5).fill('Observation'),
      'DiagnosticReport',
      'Task',
    ]);
    expect(written.map((r) => r.resourceType)).toEqual([
      ...Array(5).fill('Observation'),
      'DiagnosticReport',
      'Task',
    ]);
    expect(written.every((r) => r.resourceType !== 'Device' && r.id?.startsWith('id'))).toBe(true);
    const undo = retirementBundle(written);
    expect(
      undo.entry?.map((e) => [e.request?.method, e.request?.url, (e.resource as { status?: string }).status]),
    ).toEqual(written.map((r) => ['PUT', `${r.resourceType}/${r.id}`, 'entered-in-error']));
  });
});
