import { describe, expect, it } from 'vitest';
import { radiologistKey, radiologistModelName } from '@radflow/reports';
import { canaryPosition, routeModel, type ModelRoutingTable } from './model-route.ts';

const shared = 'radflow-cxr';
const alice = { id: 'RAD-0042', system: 'urn:oid:1.2.3' };
const aliceKey = radiologistKey(alice);
const accessions = Array.from({ length: 10_000 }, (_, i) => `ACC-${i.toString().padStart(6, '0')}`);

describe('routeModel', () => {
  const table: ModelRoutingTable = {
    serving: '0.4.0',
    canary: { version: '0.5.0', share: 0.3 },
    radiologists: { [aliceKey]: '0.4.0-alice.1' },
  };

  it('sends a radiologist with a deployed model of their own to it, canary or not', () => {
    for (const accession of accessions.slice(0, 200))
      expect(routeModel(shared, table, { accession, resultInterpreter: alice })).toEqual({
        name: radiologistModelName(shared, aliceKey),
        version: '0.4.0-alice.1',
        route: 'radiologist',
      });
  });

  it("gives a radiologist's canary its share of that radiologist's reports, never anyone else's", () => {
    const withAliceCanary: ModelRoutingTable = {
      ...table,
      radiologistCanaries: { [aliceKey]: { version: '0.4.0-alice.2', share: 0.25 } },
    };
    const aliceModel = radiologistModelName(shared, aliceKey);
    const routes = accessions.slice(0, 2_000).map((accession) => ({
      accession,
      alice: routeModel(shared, withAliceCanary, { accession, resultInterpreter: alice })!,
      bob: routeModel(shared, withAliceCanary, { accession, resultInterpreter: { id: 'RAD-0077' } })!,
    }));
    for (const { accession, alice: route } of routes)
      expect(route).toEqual(
        canaryPosition(accession) < 0.25
          ? { name: aliceModel, version: '0.4.0-alice.2', route: 'canary' }
          : { name: aliceModel, version: '0.4.0-alice.1', route: 'radiologist' },
      );
    const aliceCanaryShare = routes.filter((r) => r.alice.route === 'canary').length / routes.length;
    expect(Math.abs(aliceCanaryShare - 0.25)).toBeLessThan(0.035);
    // Bob has no model of his own: the shared model's canary and serving version, as before.
    expect(routes.every((r) => r.bob.name === shared)).toBe(true);
    expect(routes.some((r) => r.bob.version === '0.4.0-alice.2')).toBe(false);
    // A canary row naming the radiologist's serving version is no canary.
    const same = { ...table, radiologistCanaries: { [aliceKey]: { version: '0.4.0-alice.1', share: 0.9 } } };
    expect(
      accessions
        .slice(0, 100)
        .every(
          (accession) =>
            routeModel(shared, same, { accession, resultInterpreter: alice })?.route === 'radiologist',
        ),
    ).toBe(true);
  });

  it("gives a radiologist's first model, a canary, its share of their reports and leaves the rest to the shared model", () => {
    const firstCanary: ModelRoutingTable = {
      serving: '0.4.0',
      radiologists: {},
      radiologistCanaries: { [aliceKey]: { version: '0.4.0-alice.1', share: 0.2 } },
    };
    const aliceModel = radiologistModelName(shared, aliceKey);
    const routes = accessions.slice(0, 2_000).map((accession) => ({
      accession,
      alice: routeModel(shared, firstCanary, { accession, resultInterpreter: alice })!,
      bob: routeModel(shared, firstCanary, { accession, resultInterpreter: { id: 'RAD-0077' } })!,
    }));
    for (const { accession, alice: route } of routes)
      expect(route).toEqual(
        canaryPosition(accession) < 0.2
          ? { name: aliceModel, version: '0.4.0-alice.1', route: 'canary' }
          : { name: shared, version: '0.4.0', route: 'serving' },
      );
    const share = routes.filter((r) => r.alice.route === 'canary').length / routes.length;
    expect(Math.abs(share - 0.2)).toBeLessThan(0.035);
    expect(routes.every((r) => r.bob.name === shared && r.bob.version === '0.4.0')).toBe(true);
    // With nothing of the shared model serving, there is nothing to run beside: no route, as without the canary.
    expect(
      routeModel(
        shared,
        { ...firstCanary, serving: undefined },
        { accession: 'A1', resultInterpreter: alice },
      ),
    ).toBeUndefined();
  });

  it('sends everyone else to the canary inside its share and to the serving version outside it', () => {
    const bob = { id: 'RAD-0077' };
    for (const accession of accessions.slice(0, 500)) {
      const inShare = canaryPosition(accession) < 0.3;
      expect(routeModel(shared, table, { accession, resultInterpreter: bob })).toEqual(
        inShare
          ? { name: shared, version: '0.5.0', route: 'canary' }
          : { name: shared, version: '0.4.0', route: 'serving' },
      );
    }
  });

  it('gives the canary its share of 10,000 accessions within 1.5 points, at every share', () => {
    for (const share of [0.05, 0.1, 0.25, 0.5, 0.9]) {
      const canary = accessions.filter(
        (accession) =>
          routeModel(shared, { ...table, canary: { version: '0.5.0', share } }, { accession })?.route ===
          'canary',
      ).length;
      // Binomial sd at n=10,000 is at most 0.5 points; 1.5 points is three of them.
      expect(Math.abs(canary / accessions.length - share)).toBeLessThan(0.015);
    }
  });

  it('keeps an accession on one version: the same answer every time, and a larger share only adds accessions', () => {
    const at = (share: number) =>
      new Set(
        accessions.filter(
          (accession) =>
            routeModel(shared, { ...table, canary: { version: '0.5.0', share } }, { accession })?.route ===
            'canary',
        ),
      );
    const small = at(0.2);
    expect(at(0.2)).toEqual(small);
    const large = at(0.6);
    for (const accession of small) expect(large.has(accession)).toBe(true);
  });

  it('spreads positions over [0, 1) evenly: each tenth holds about a tenth of the accessions', () => {
    const deciles = new Array<number>(10).fill(0);
    for (const accession of accessions) {
      const position = canaryPosition(accession);
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThan(1);
      deciles[Math.floor(position * 10)]! += 1;
    }
    for (const count of deciles) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });

  it('serves the serving version without a canary, and without a radiologist model for this radiologist', () => {
    const plain = { serving: '0.4.0', radiologists: {} };
    expect(routeModel(shared, plain, { accession: 'A1', resultInterpreter: alice })).toEqual({
      name: shared,
      version: '0.4.0',
      route: 'serving',
    });
    // A blank interpreter id names nobody: it never matches a model.
    expect(routeModel(shared, table, { accession: 'A1', resultInterpreter: { id: '  ' } })?.route).not.toBe(
      'radiologist',
    );
  });

  it('does not call the serving version a canary when the canary row names it', () => {
    const same = { serving: '0.4.0', canary: { version: '0.4.0', share: 0.9 }, radiologists: {} };
    expect(
      accessions
        .slice(0, 100)
        .every((accession) => routeModel(shared, same, { accession })?.route === 'serving'),
    ).toBe(true);
  });

  it('routes nowhere when the registry has no serving version (the inference service serves what it loaded)', () => {
    expect(
      routeModel(shared, { radiologists: {}, canary: { version: '0.5.0', share: 0.5 } }, { accession: 'A1' }),
    ).toBeUndefined();
    // A radiologist's model is still theirs.
    expect(
      routeModel(
        shared,
        { radiologists: { [aliceKey]: '1.0.0' } },
        { accession: 'A1', resultInterpreter: alice },
      )?.route,
    ).toBe('radiologist');
  });
});
