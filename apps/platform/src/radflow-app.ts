import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import type { StartFrom } from '@radflow/events';

/**
 * What the host needs to know about one app: its Nest module and, if it consumes Kafka, its stage name and
 * topics (one consumer group per app). Every app can run alone or be composed with the others in one process.
 */
export interface RadflowApp {
  name: string;
  module: (config: RadflowConfig) => Type<unknown> | DynamicModule;
  /**
   * The app's Kafka input. The host runs only this app's @EventPattern handlers in its group (two apps reading
   * one topic each run their own handler, once per record). ephemeral: the group is this process's own, deleted
   * when it stops (readers that must see everything). startFrom: where the group starts without a committed offset
   * (default: KAFKA_START_FROM).
   */
  consumes?: {
    stage: string;
    topics: string[];
    ephemeral?: boolean;
    startFrom?: StartFrom;
    /** Little work per record: commit micro-batches of up to KAFKA_MICRO_BATCH_RECORDS records (Subscription.maxBatchRecords). */
    microBatch?: boolean;
  };
  /** Topics the app produces to, created up front on the embedded broker. */
  produces?: string[];
  /** The HTTP port this app listens on when it runs alone; composed apps share the first one. */
  httpPort?: (config: RadflowConfig) => number;
  /**
   * Path prefix of the app's HTTP routes in a radflow host (e.g. 'inference': GET /inference/health), so that
   * composed apps never answer each other's paths. Unset: routes at the root.
   */
  httpPrefix?: string;
  /** Runs once the host is up: the app's consumers have joined their groups and HTTP is listening. */
  onStarted?: (app: INestApplicationContext, config: RadflowConfig) => Promise<void>;
}
