import { createServer, type Server, type Socket } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger, RadflowConfig } from '@radflow/config';
import { MllpDeframer, frameMllp, type MllpEvent } from '@radflow/hl7';
import { CONFIG, LOGGER } from '@radflow/platform';
import { InboundGatewayService } from './inbound-gateway.service.ts';

/** HL7 over MLLP: one ACK per message, in order, sent only once the message is safely in Kafka. */
@Injectable()
export class MllpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(InboundGatewayService) private readonly gateway: InboundGatewayService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ stage: 'gateway', transport: 'mllp' });
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.gateway.mllpPort, this.config.gateway.host, () => resolve());
    });
    this.logger.info({ port: this.port }, 'MLLP listener ready');
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
    socket.on('data', (chunk) => handle(deframer.push(chunk)));
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
