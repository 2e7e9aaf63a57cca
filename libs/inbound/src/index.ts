export {
  readInbound,
  type InboundKind,
  type InboundOutcome,
  type InboundReadOptions,
} from './read-inbound.ts';
// The ACK code an unreadable HL7 v2 message is answered with, for `radflow parse`'s error output.
export { ackCodeOf } from '@radflow/hl7';
// The filter policy a site configures (RADFLOW_RULES_FILE), for the apps that pass it to readInbound.
export {
  chestXrayPolicyFrom,
  chestXraySettingsOf,
  DEFAULT_CHEST_XRAY_POLICY,
  selectFinalizedChestXray,
  type ChestXrayPolicy,
  type ChestXrayPolicySettings,
} from '@radflow/reports';
