import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Counter } from 'prom-client';
import { isLoopbackHost, PeerAllowList } from '@radflow/auth';
import { ConfigError, type Logger, type RadflowConfig } from '@radflow/config';
import { MllpDeframer, frameMllp, type MllpEvent } from '@radflow/hl7';
import { CONFIG, LOGGER, METRICS, type PlatformMetrics } from '@radflow/platform';
import { InboundGatewayService } from './inbound-gateway.service.ts';

/**
 * HL7 over MLLP: one ACK per message, in order, sent only once the message is safely in Kafka. Optionally only for
 * peers on an allow-list (GATEWAY_MLLP_ALLOW), and over TLS (GATEWAY_MLLP_TLS_CERT/_KEY; with _CA, only senders
 * presenting a client certificate signed by that CA). A refused peer's connection is closed before anything is
 * read, logged by address (an address is not PHI) and counted.
 */
@Injectable()
export class MllpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;
  private readonly logger: Logger;
  private readonly allowList: PeerAllowList;
  private readonly refused: Counter<'reason'> | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(InboundGatewayService) private readonly gateway: InboundGatewayService,
    @Inject(LOGGER) logger: Logger,
    @Optional() @Inject(METRICS) metrics?: PlatformMetrics,
  ) {
    this.logger = logger.child({ stage: 'gateway', transport: 'mllp' });
    try {
      this.allowList = new PeerAllowList(config.gateway.mllpAllow ?? []);
    } catch {
      throw new ConfigError('GATEWAY_MLLP_ALLOW', 'comma-separated IP addresses or CIDR ranges');
    }
    this.refused = metrics?.counter({
      name: 'radflow_mllp_connections_refused_total',
      help: 'MLLP connections closed before any message was read: peer not on GATEWAY_MLLP_ALLOW, or TLS failed',
      labelNames: ['reason'],
    });
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, mllpPort, mllpTls } = this.config.gateway;
    if (mllpTls) {
      this.server = createTlsServer(
        {
          cert: readFileSync(mllpTls.certFile),
          key: readFileSync(mllpTls.keyFile),
          ...(mllpTls.caFile
            ? { ca: readFileSync(mllpTls.caFile), requestCert: true, rejectUnauthorized: true }
            : {}),
          minVersion: 'TLSv1.2',
        },
        (socket) => this.serve(socket),
      );
      // A handshake that fails (no or untrusted client certificate, plain MLLP on the TLS port) never reaches serve.
      this.server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
        // A peer off the allow-list was counted already (its socket was destroyed under the handshake).
        if (!this.allowList.allows(socket.remoteAddress)) return;
        this.refused?.inc({ reason: 'tls' });
        this.logger.warn({ peer: socket.remoteAddress, code: error.code }, 'MLLP TLS handshake refused');
      });
      // The allow-list is checked on the TCP connection, before the handshake costs anything.
      this.server.prependListener('connection', (socket: Socket) => {
        if (!this.admits(socket)) socket.destroy();
      });
    } else {
      this.server = createServer((socket) => {
        if (this.admits(socket)) this.serve(socket);
        else socket.destroy();
      });
    }
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(mllpPort, host, () => resolve());
    });
    this.logger.info(
      {
        port: this.port,
        tls: mllpTls ? (mllpTls.caFile ? 'client-certificate' : 'server') : 'off',
        allow: this.allowList.allowsAll ? 'all' : this.allowList.entries.length,
      },
      'MLLP listener ready',
    );
    if (!isLoopbackHost(host) && this.allowList.allowsAll && !mllpTls)
      this.logger.warn(
        { bind: host },
        'the MLLP listener accepts plain connections from any address: set GATEWAY_MLLP_ALLOW and/or GATEWAY_MLLP_TLS_*',
      );
  }

  private admits(socket: Socket): boolean {
    if (this.allowList.allows(socket.remoteAddress)) return true;
    this.refused?.inc({ reason: 'not_allowed' });
    this.logger.warn(
      { peer: socket.remoteAddress },
      'MLLP connection refused: peer not on GATEWAY_MLLP_ALLOW',
    );
    return false;
  }

  private serve(socket: Socket): void {
    const deframer = new MllpDeframer({ maxMessageBytes: this.config.ingest.maxMessageBytes });
    let queue = Promise.resolve();
    // One ACK per frame, in the order the frames came, each written once its message is stored or dead-lettered.
    const handle = (events: MllpEvent[]) => {
      for (const event of events) {
        queue = queue.then(async () => {
          const outcome =
            event.kind === 'message'
              ? await this.gateway.acceptHl7(Buffer.from(event.payload), 'mllp')
              : await this.gateway.reject('hl7v2', Buffer.from(event.bytes), event.error, 'mllp');
          if (outcome.ack && socket.writable) socket.write(frameMllp(outcome.ack));
        });
      }
    };
    socket.on('data', (chunk: Buffer) => handle(deframer.push(chunk)));
    // A sender that hangs up mid-frame (or after stray bytes) gets no ACK, but what it sent is dead-lettered.
    socket.on('close', () => handle(deframer.end()));
    socket.on('error', (error) =>
      this.logger.warn({ code: (error as { code?: string }).code }, 'MLLP connection error'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
