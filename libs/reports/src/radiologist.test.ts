import { describe, expect, it } from 'vitest';
import { parseRadiologistModelName, radiologistKey, radiologistModelName } from './radiologist.ts';

describe('radiologist key', () => {
  it('is stable, 16 hex digits, and does not contain the id', () => {
    const key = radiologistKey({ id: 'RAD1234', system: 'urn:oid:1.2.3' });
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(key).toBe(radiologistKey({ id: ' RAD1234 ', system: 'URN:OID:1.2.3' }));
    expect(key).not.toContain('1234');
  });

  it('tells radiologists and assigning authorities apart', () => {
    const a = radiologistKey({ id: 'RAD1' });
    expect(radiologistKey({ id: 'RAD2' })).not.toBe(a);
    expect(radiologistKey({ id: 'RAD1', system: 'other-hospital' })).not.toBe(a);
  });
});

describe('per-radiologist model names', () => {
  it('round-trip through the registry name', () => {
    const key = radiologistKey({ id: 'RAD1' });
    const name = radiologistModelName('radflow-cxr-small', key);
    expect(name).toBe(`radflow-cxr-small~r-${key}`);
    expect(parseRadiologistModelName(name)).toEqual({ sharedModelName: 'radflow-cxr-small', key });
  });

  it('reads a shared model name as no radiologist', () => {
    expect(parseRadiologistModelName('radflow-cxr-small')).toBeUndefined();
    expect(parseRadiologistModelName('odd~r-notakey')).toBeUndefined();
  });
});
