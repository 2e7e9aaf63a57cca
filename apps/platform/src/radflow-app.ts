import type { DynamicModule, Type } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';

/**
 * What the host needs to know about one app: its Nest module and, if it consumes Kafka, its stage name and
 * topics (one consumer group per app). Every app can run alone or be composed with the others in one process.
 */
export interface RadflowApp {
  name: string;
  module: (config: RadflowConfig) => Type<unknown> | DynamicModule;
  /** ephemeral: the stage's group is this process's own, deleted when it stops (readers that must see everything). */
  consumes?: { stage: string; topics: string[]; ephemeral?: boolean };
  /** Topics the app produces to, created up front on the embedded broker. */
  produces?: string[];
  /** The HTTP port this app listens on when it runs alone; composed apps share the first one. */
  httpPort?: (config: RadflowConfig) => number;
}
