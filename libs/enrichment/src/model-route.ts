import { createHash } from 'node:crypto';
import { radiologistKey, radiologistModelName, type ResultInterpreter } from '@radflow/reports';

/** Why a report went to the model it went to: its radiologist's own, the canary's share, or the serving model. */
export type ModelRouteKind = 'radiologist' | 'canary' | 'serving';

/** Which versions of one shared model serve, as the registry says now (ModelRouting in libs/store reads it). */
export interface ModelRoutingTable {
  /** The shared model's serving version; undefined when nothing was ever deployed under its name. */
  serving?: string;
  /** A candidate serving a share of the shared model's reports (the radiologists with a model of their own aside). */
  canary?: CanaryShare;
  /** Radiologist key (radiologistKey) → the serving version of that radiologist's model (`<shared>~r-<key>`). */
  radiologists: Record<string, string>;
  /**
   * Radiologist key → a candidate of that radiologist's model serving a share of their reports (absent: none); for a
   * radiologist with no serving version of their own (their first model), the rest of their reports go to the shared
   * model.
   */
  radiologistCanaries?: Record<string, CanaryShare>;
}

/** A candidate version serving a share (0 < share < 1) of one model's reports, by accession hash. */
export interface CanaryShare {
  version: string;
  share: number;
}

/** The model one report's draft comes from, and why. */
export interface ModelRoute {
  name: string;
  version: string;
  route: ModelRouteKind;
}

/** What routing reads of a report: its accession and, when the sender named one, the signing radiologist. */
export interface RoutedReport {
  accession: string;
  resultInterpreter?: ResultInterpreter | undefined;
}

/**
 * Where an accession falls in [0, 1): the first 52 bits of sha256(accession). A hash, not a counter or a random
 * draw, so the same report (and its amended versions) always meets the same version, on every instance and after a
 * restart; sha256 is uniform enough that the share of reports the canary gets is its configured share.
 */
export function canaryPosition(accession: string): number {
  const digest = createHash('sha256').update(accession, 'utf8').digest();
  // 52 bits: every such integer is exact in a double, so the position is exact too.
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/** Whether a report goes to a canary: one of another version than the serving one, its accession inside the share. */
function inCanary(
  canary: CanaryShare | undefined,
  serving: string,
  accession: string,
): canary is CanaryShare {
  return canary !== undefined && canary.version !== serving && canaryPosition(accession) < canary.share;
}

/**
 * Routes one report: a radiologist with a deployed model of their own gets it (or that model's canary, when the
 * accession falls inside its share); a radiologist whose first model is a canary gets it when the accession falls
 * inside that share; otherwise the shared model's canary when the accession's position falls inside its share;
 * otherwise the serving version. Undefined when the registry knows no serving version of the shared model
 * (the inference service then serves whatever it loaded).
 */
export function routeModel(
  sharedModelName: string,
  table: ModelRoutingTable,
  report: RoutedReport,
): ModelRoute | undefined {
  const interpreter = report.resultInterpreter;
  if (interpreter?.id.trim()) {
    const key = radiologistKey(interpreter);
    const version = table.radiologists[key];
    const name = radiologistModelName(sharedModelName, key);
    const canary = table.radiologistCanaries?.[key];
    if (version !== undefined) {
      if (inCanary(canary, version, report.accession))
        return { name, version: canary.version, route: 'canary' };
      return { name, version, route: 'radiologist' };
    }
    // Their first model's canary: its share of their reports; the rest stay with the shared model below.
    if (table.serving !== undefined && inCanary(canary, table.serving, report.accession))
      return { name, version: canary.version, route: 'canary' };
  }
  if (table.serving === undefined) return undefined;
  const canary = table.canary;
  if (inCanary(canary, table.serving, report.accession))
    return { name: sharedModelName, version: canary.version, route: 'canary' };
  return { name: sharedModelName, version: table.serving, route: 'serving' };
}
