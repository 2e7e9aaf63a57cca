import type { DraftImpressionEdit } from '@radflow/reports';
import type { LabelState, ReportEnrichedPayload } from '@radflow/schemas';
import type { ModelRouteKind } from './model-route.ts';

export type Enrichment = ReportEnrichedPayload['enrichment'];
export type EnrichedLabel = Enrichment['abnormalities'][number];
export type WorklistPriority = Enrichment['priority'];

/** A draft impression after the rules' check: what is emitted, and what the rules changed (empty: as written). */
export interface CheckedDraft {
  impression: string;
  edits: DraftImpressionEdit[];
}

/** One label as the rule labeler called it. */
export interface RuleLabelCall {
  label: string;
  state: LabelState;
  /**
   * Whether the report names the label at all (affirmed, hedged or negated). An absent call with a mention is a
   * negation the rules read; without one the rules simply never saw the word. Unknown (undefined) counts as named.
   */
  mentioned?: boolean;
}

/** The rule labeler's reading of one report. */
export interface RuleReading {
  abnormalities: RuleLabelCall[];
  devices: RuleLabelCall[];
}

/** What the model drafted for one report: label tasks answer with the labels it found present. */
export interface ModelDraft {
  /** The model that answered, and why the report went to it (absent when nothing routed it). */
  model: { name: string; version: string; route?: ModelRouteKind };
  draftImpression?: string;
  abnormalities: string[];
  devices: string[];
  temporal?: {
    added: string[];
    removed: string[];
    changed: {
      finding: string;
      progression: 'improved' | 'worsened' | 'stable' | 'new' | 'resolved' | 'changed';
    }[];
  };
}

/** Why the model's draft is missing: the enrichment then carries rule outputs only, marked degraded. */
export interface ModelUnavailable {
  failure: string;
}
