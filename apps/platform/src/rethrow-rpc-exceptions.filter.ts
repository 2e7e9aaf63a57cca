import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every error into a generic "Internal server error"; the Kafka transport
 * needs the original error to choose between retry (transient) and dead letter (permanent). HTTP errors keep
 * Nest's usual handling.
 */
@Catch()
export class RethrowRpcExceptionsFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
