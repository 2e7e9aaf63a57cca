import pg from 'pg';

export type Database = pg.Pool;

/** A connection pool; connection errors surface on first use with the host named, never the password. */
export function openDatabase(url: string, maxConnections = 5): Database {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the service; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Postgres error codes that mean "try again later" rather than "this statement is wrong". */
export function isTransientDatabaseError(error: unknown): boolean {
  // Only PostgreSQL and socket codes are strings: a Kafka client error carries a number here (a heartbeat refused
  // during a rebalance), and reading it as a string threw inside the error handling and dead-lettered the report.
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  // node-postgres' own errors for a connection the server (or the network) dropped carry no code.
  const message = (error as { message?: string } | null)?.message ?? '';
  if (
    /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  )
    return true;
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '53300',
      '40001',
      '40P01',
    ].includes(code) || code.startsWith('08')
  );
}
