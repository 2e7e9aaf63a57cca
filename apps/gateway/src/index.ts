export { gatewayApp, GatewayModule } from './gateway.module.ts';
export { MllpListener } from './mllp-listener.ts';
