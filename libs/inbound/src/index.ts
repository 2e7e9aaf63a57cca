export {
  readInbound,
  type InboundKind,
  type InboundOutcome,
  type InboundReadOptions,
} from './read-inbound.ts';
// The filter policy a site configures (RADFLOW_RULES_FILE), for the apps that pass it to readInbound.
export {
  chestXrayPolicyFrom,
  chestXraySettingsOf,
  DEFAULT_CHEST_XRAY_POLICY,
  selectFinalizedChestXray,
  type ChestXrayPolicy,
  type ChestXrayPolicySettings,
} from '@radflow/reports';
