export { buildAiResultsOru, OruCodingSystems, type AiResultsOruOptions } from './ai-results-oru.ts';
export { escapeHl7, hl7Timestamp } from './escape.ts';
