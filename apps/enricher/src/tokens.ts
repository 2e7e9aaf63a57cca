export const MODEL_CLIENT = Symbol('radflow.enricher.model-client');
export const RULE_LABELER = Symbol('radflow.enricher.rule-labeler');
