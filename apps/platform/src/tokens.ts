/** Injection tokens: explicit, because tsx/esbuild emit no decorator metadata for constructor types. */
export const CONFIG = Symbol('radflow.config');
export const KAFKA_BUS = Symbol('radflow.kafka-bus');
export const DATABASE = Symbol('radflow.database');
export const LOGGER = Symbol('radflow.logger');
/** The serving ModelHost (libs/model-runtime) when the inference app runs in this process. */
export const MODEL_HOST = Symbol('radflow.model-host');
/** The host's PlatformMetrics (Prometheus registry): apps add their series to it. */
export const METRICS = Symbol('radflow.metrics');
