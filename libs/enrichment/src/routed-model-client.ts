import type { RadiologyReport } from '@radflow/schemas';
import { draftWithModel, type TaskOptions, type TaskRunner } from './draft-with-model.ts';
import type { ModelClient } from './model-client.ts';
import type { ModelRoute } from './model-route.ts';
import type { ModelDraft } from './types.ts';

/** The route of one report (routeModel over the registry's routing table); undefined: ask the serving model. */
export type ReportRouter = (report: RadiologyReport) => Promise<ModelRoute | undefined>;

export interface RoutedModelClientOptions {
  /** Told when the routed version could not be found and the serving model drafted instead (hashed ids only). */
  onFallback?: (report: RadiologyReport, route: ModelRoute, code: string) => void;
}

/** The code of a runner's error when the inference service does not hold the version asked for. */
export const MODEL_NOT_FOUND = 'MODEL_NOT_FOUND';

/**
 * Errors that say the routed version cannot be served (not registered, its directory outside the allowed roots,
 * gone or unloadable), unlike a deadline or an overload, which the serving model would meet too.
 */
const NOT_SERVABLE = new Set<unknown>([MODEL_NOT_FOUND, 'MODEL_DIR_NOT_ALLOWED', 'MODEL_LOAD_FAILED']);

/**
 * Drafts each report on the model its route names (its radiologist's model, the canary, or the serving version) and
 * records the route on the draft's model. A version the inference service cannot serve (404 MODEL_NOT_FOUND: gone
 * from the registry between the routing table's read and the request, or an instance without a registry; 403 or 422:
 * its directory is outside the allowed roots, gone or broken) is not a failed draft: the serving model drafts
 * instead, and the draft says so (route `serving`), so one bad registry entry never turns every report rules-only.
 * The route is recorded only when the model that answered is the one routed to, so the event never names a version
 * that did not draft.
 */
export class RoutedModelClient implements ModelClient {
  constructor(
    private readonly runner: TaskRunner,
    private readonly router: ReportRouter,
    private readonly options: RoutedModelClientOptions = {},
  ) {}

  async draft(
    report: RadiologyReport,
    prior: RadiologyReport | undefined,
    deadlineMs: number,
    priority?: TaskOptions['priority'],
  ): Promise<ModelDraft> {
    const route = await this.router(report);
    if (!route) return draftWithModel(this.runner, report, prior, deadlineMs, priority);
    try {
      const draft = await draftWithModel(this.runner, report, prior, deadlineMs, priority, {
        name: route.name,
        version: route.version,
      });
      const answered = draft.model.name === route.name && draft.model.version === route.version;
      return answered ? { ...draft, model: { ...draft.model, route: route.route } } : draft;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!NOT_SERVABLE.has(code)) throw error;
      this.options.onFallback?.(report, route, code as string);
      const draft = await draftWithModel(this.runner, report, prior, deadlineMs, priority);
      return { ...draft, model: { ...draft.model, route: 'serving' } };
    }
  }
}
