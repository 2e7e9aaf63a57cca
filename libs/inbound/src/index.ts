export {
  readInbound,
  type InboundKind,
  type InboundOutcome,
  type InboundReadOptions,
} from './read-inbound.ts';
