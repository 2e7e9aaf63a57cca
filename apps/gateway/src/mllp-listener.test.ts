import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { frameMllp, MllpDeframer } from '@radflow/hl7';
import { startHost, type RunningHost } from '@radflow/platform';
import { gatewayApp } from './gateway.module.ts';
import { MllpListener } from './mllp-listener.ts';

/**
 * The MLLP listener's allow-list and TLS, on a real gateway host (the local Kafka stores what is ACKed). The
 * certificates are made here with openssl: a CA, a server certificate for 127.0.0.1 and a client certificate.
 */
const dir = mkdtempSync(join(tmpdir(), 'radflow-mllp-tls-'));
const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

function certificate(name: string, subject: string, extensions: string): void {
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.csr`),
    '-subj',
    subject,
  );
  writeFileSync(file(`${name}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    file(`${name}.crt`),
    '-extfile',
    file(`${name}.ext`),
  );
}

const message = () =>
  Buffer.from(
    [
      `MSH|^~\\&|MLLPTEST|TESTHOSP|RADFLOW|TESTHOSP|20250110081500||ORU^R01^ORU_R01|TLS${randomUUID().slice(0, 8)}|P|2.5.1`,
      'PID|1||TESTPID^^^TESTHOSP^MR||TEST^PATIENT||19600101|F',
      'OBR|1|PLC1|ACCTLS1|70450^CT HEAD^CPT|||20250110074500||||||||||||||||CT|F',
      'OBX|1|TX|18782-3^Radiology Study observation^LN|1|IMPRESSION: Test message of the MLLP TLS test.||||||F',
    ].join('\r'),
    'latin1',
  );

type Connector = (port: number) => Socket;

/** Sends one framed message; resolves to the ACK, or to `closed` if the listener hangs up without one. */
function exchange(connector: Connector, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connector(port);
    const deframer = new MllpDeframer({ maxMessageBytes: 1_000_000 });
    let answered = false;
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('neither ACK nor close'))), 20_000);
    const ready = 'encrypted' in socket ? 'secureConnect' : 'connect';
    socket.on(ready, () => socket.write(frameMllp(message())));
    socket.on('data', (chunk: Buffer) => {
      for (const event of deframer.push(chunk)) {
        if (event.kind !== 'message') continue;
        answered = true;
        clearTimeout(timer);
        socket.end();
        resolve(Buffer.from(event.payload).toString('latin1'));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (!answered) resolve('closed');
    });
  });
}

const plain: Connector = (port) => connectTcp(port, '127.0.0.1');
const tls =
  (withClientCertificate: boolean): Connector =>
  (port) =>
    connectTls({
      host: '127.0.0.1',
      port,
      ca: readFileSync(file('ca.crt')),
      ...(withClientCertificate
        ? { cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')) }
        : {}),
    });

const base = {
  ...process.env,
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  GATEWAY_HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
};

async function refusedCount(host: RunningHost, reason: string): Promise<number> {
  const text = (await host.metrics.exposition()).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`radflow_mllp_connections_refused_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

let outsider: RunningHost;
let secured: RunningHost;

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=radflow-test-ca',
  );
  certificate('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  certificate('client', '/CN=mirth-test', 'extendedKeyUsage=clientAuth\n');
  // This machine (127.0.0.1) is not on the first host's allow-list.
  outsider = await startHost(
    [gatewayApp],
    loadConfig({ ...base, GATEWAY_MLLP_ALLOW: '192.0.2.0/24, 2001:db8::/32' }),
    { processName: 'mllp-allow-test' },
  );
  secured = await startHost(
    [gatewayApp],
    loadConfig({
      ...base,
      GATEWAY_MLLP_ALLOW: '127.0.0.1',
      GATEWAY_MLLP_TLS_CERT: file('server.crt'),
      GATEWAY_MLLP_TLS_KEY: file('server.key'),
      GATEWAY_MLLP_TLS_CA: file('ca.crt'),
    }),
    { processName: 'mllp-tls-test' },
  );
}, 120_000);

afterAll(async () => {
  await outsider?.close();
  await secured?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MLLP listener: peer allow-list', () => {
  it('closes the connection of a peer outside GATEWAY_MLLP_ALLOW without reading or ACKing, and counts it', async () => {
    const port = outsider.app.get(MllpListener).port;
    const before = await refusedCount(outsider, 'not_allowed');
    expect(await exchange(plain, port)).toBe('closed');
    expect(await refusedCount(outsider, 'not_allowed')).toBe(before + 1);
  });
});

describe('MLLP listener: TLS with client certificates', () => {
  it('ACKs a message sent over TLS by a sender with a certificate of the configured CA', async () => {
    const ack = await exchange(tls(true), secured.app.get(MllpListener).port);
    expect(ack).toMatch(/^MSH\|/);
    expect(ack).toContain('MSA|AA|TLS');
  }, 30_000);

  it('refuses a TLS sender without a client certificate, and plain MLLP on the TLS port', async () => {
    const port = secured.app.get(MllpListener).port;
    const before = await refusedCount(secured, 'tls');
    expect(await exchange(tls(false), port)).toBe('closed');
    expect(await exchange(plain, port)).toBe('closed');
    expect(await refusedCount(secured, 'tls')).toBeGreaterThanOrEqual(before + 1);
  }, 30_000);
});
