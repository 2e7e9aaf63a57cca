import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_IDENTIFIER_SYSTEM_BASE,
  loadConfig,
  readIdentifierSystemSettings,
} from './index.ts';

describe('patient identifier systems (FHIR_IDENTIFIER_SYSTEMS, FHIR_IDENTIFIER_SYSTEM_BASE)', () => {
  it('maps nothing by default and names unmapped authorities under radflow’s base', () => {
    expect(loadConfig({}).fhir.identifierSystems).toEqual({
      systems: {},
      base: DEFAULT_IDENTIFIER_SYSTEM_BASE,
    });
    expect(loadConfig({}).fhir.referenceLookup).toBe(true);
    expect(loadConfig({ FHIR_REFERENCE_LOOKUP: 'false' }).fhir.referenceLookup).toBe(false);
  });

  it('reads AUTHORITY=URI pairs; a bare OID becomes urn:oid', () => {
    const settings = readIdentifierSystemSettings({
      FHIR_IDENTIFIER_SYSTEMS:
        ' GENHOSP = urn:oid:2.16.840.1.113883.19.5, STMARY=https://fhir.stmary.example/sid/mrn,EAST=1.2.3.4',
      FHIR_IDENTIFIER_SYSTEM_BASE: 'https://mpi.hospital.example/sid/',
    });
    expect(settings).toEqual({
      systems: {
        GENHOSP: 'urn:oid:2.16.840.1.113883.19.5',
        STMARY: 'https://fhir.stmary.example/sid/mrn',
        EAST: 'urn:oid:1.2.3.4',
      },
      base: 'https://mpi.hospital.example/sid/',
    });
  });

  it('refuses a system or base that is not an absolute URI', () => {
    expect(() => readIdentifierSystemSettings({ FHIR_IDENTIFIER_SYSTEMS: 'GENHOSP=GENHOSP' })).toThrow(
      ConfigError,
    );
    expect(() => readIdentifierSystemSettings({ FHIR_IDENTIFIER_SYSTEMS: 'urn:oid:1.2.3' })).toThrow(
      /FHIR_IDENTIFIER_SYSTEMS must be/,
    );
    expect(() => readIdentifierSystemSettings({ FHIR_IDENTIFIER_SYSTEMS: '=urn:oid:1.2' })).toThrow(
      ConfigError,
    );
    expect(() => readIdentifierSystemSettings({ FHIR_IDENTIFIER_SYSTEM_BASE: 'hospital/' })).toThrow(
      /FHIR_IDENTIFIER_SYSTEM_BASE must be/,
    );
    expect(() =>
      readIdentifierSystemSettings({ FHIR_IDENTIFIER_SYSTEM_BASE: 'https://mpi.example/sid' }),
    ).toThrow(ConfigError);
  });
});
