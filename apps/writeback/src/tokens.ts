/** Injection tokens of the writeback app (explicit: tsx/esbuild emit no decorator metadata). */
export const FHIR_WRITER = Symbol('radflow.writeback.fhir-writer');
