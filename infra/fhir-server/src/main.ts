// Entry point: node --import tsx infra/fhir-server/src/main.ts (infra/fhir-server.sh does this).
// Env: FHIR_SERVER_PORT (8103), FHIR_SERVER_HOST (127.0.0.1).
import { startFhirServer } from './server.ts';

const started = performance.now();
const port = Number(process.env.FHIR_SERVER_PORT ?? 8103);
const host = process.env.FHIR_SERVER_HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`FHIR_SERVER_PORT must be a port number, got '${process.env.FHIR_SERVER_PORT}'`);
  process.exit(2);
}

const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);

try {
  const server = await startFhirServer({ port, host, log });
  log(
    `FHIR R4 server ready at ${server.baseUrl} in ${Math.round(performance.now() - started)}ms (in-memory: data is lost on restart)`,
  );
  const shutdown = (signal: string): void => {
    log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(
      `port ${port} on ${host} is already in use; stop what listens there or set FHIR_SERVER_PORT`,
    );
  } else {
    console.error('FHIR server failed to start:', err);
  }
  process.exit(1);
}
