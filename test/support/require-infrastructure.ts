import { Socket } from 'node:net';
import { loadConfig } from '@radflow/config';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(port, host);
  });
}

/** Fails fast, with the fix, when the services the end-to-end tests need are not running. */
export default async function requireInfrastructure(): Promise<void> {
  const config = loadConfig();
  const [kafkaHost, kafkaPort] = (config.kafka.brokers[0] ?? '127.0.0.1:9092').split(':');
  const database = new URL(config.database.url);
  const fhir = new URL(config.fhir.baseUrl);
  const services = [
    { name: 'Kafka', host: kafkaHost!, port: Number(kafkaPort) },
    { name: 'PostgreSQL', host: database.hostname, port: Number(database.port || 5432) },
    { name: 'FHIR server', host: fhir.hostname, port: Number(fhir.port || 80) },
  ];
  const missing = [];
  for (const service of services) {
    if (!(await reachable(service.host, service.port)))
      missing.push(`${service.name} at ${service.host}:${service.port}`);
  }
  if (missing.length > 0) {
    throw new Error(
      `end-to-end tests need ${missing.join(', ')}: start them with \`infra/run up\` (or run \`infra/run test\`)`,
    );
  }
}
