import { describe, expect, it } from 'vitest';
import { assertFaultTargets, FaultError } from './faults.ts';
import type { Fault } from './soak-plan.ts';

const shared = {
  database: { url: 'postgres://radflow:radflow@127.0.0.1:5432/radflow' },
  fhir: { baseUrl: 'http://127.0.0.1:8103/fhir/R4' },
};
const own = {
  database: { url: 'postgres://radflow:radflow@127.0.0.1:5442/radflow' },
  fhir: { baseUrl: 'http://127.0.0.1:8113/fhir/R4' },
};
const postgres = { kind: 'postgres' } as Fault;
const freeze = { kind: 'fhir-freeze', seconds: 60 } as Fault;

describe('assertFaultTargets', () => {
  it('accepts the default scripts against the default services', () => {
    expect(() => assertFaultTargets([postgres, freeze], shared, {})).not.toThrow();
  });

  it("accepts the soak's own services when the scripts name them too (test/soak/own-services.sh)", () => {
    expect(() =>
      assertFaultTargets([postgres, freeze], own, { POSTGRES_PORT: '5442', FHIR_SERVER_PORT: '8113' }),
    ).not.toThrow();
  });

  it('refuses a PostgreSQL restart that would hit the shared cluster while the apps use their own', () => {
    expect(() => assertFaultTargets([postgres], own, { FHIR_SERVER_PORT: '8113' })).toThrow(FaultError);
    expect(() => assertFaultTargets([postgres], own, { FHIR_SERVER_PORT: '8113' })).toThrow(/port 5432/);
  });

  it('refuses a FHIR freeze of another server than the one the apps write to', () => {
    expect(() => assertFaultTargets([freeze], own, { POSTGRES_PORT: '5442' })).toThrow(/port 8103/);
  });

  it('does not look at services no planned fault touches', () => {
    expect(() => assertFaultTargets([{ kind: 'kill', app: 'ingest' } as Fault], own, {})).not.toThrow();
  });
});
