import 'server-only';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrismaClient } from '@/prisma/generated/client';
import { lockDataDirectory } from '@/lib/server/db/pglite-lock';
import { env, type Env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import { databaseHeld, watchPool } from '@/lib/server/metrics/metrics';

/** Plain SQL, for what Prisma's query API cannot do (multi-statement migration files). */
export interface SqlRunner {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (tx: Omit<SqlRunner, 'transaction'>) => Promise<T>): Promise<T>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  sql: SqlRunner;
  /**
   * Calls `onMessage` with each notification on `channel` (NOTIFY, delivered when the sending
   * transaction commits). `onConnected` runs whenever listening (re)starts: with PostgreSQL the
   * listener has its own connection and, when it is lost, reconnects; what was sent meanwhile is lost.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onMessage(payload: string): void;
  onConnected?(): void;
  /** PostgreSQL: the first retry after a lost listener connection, doubling to 30 s. Default 250 ms. */
  retryMs?: number;
}

export type DatabaseLocation =
  | { kind: 'postgres'; url: string }
  /** `dataDir` "memory://" keeps everything in memory (tests). */
  | { kind: 'pglite'; dataDir: string };

/** Where the configuration puts the database: PostgreSQL when `DATABASE_URL` is set, else PGlite in `DATA_DIR`. */
export function databaseLocation(config: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'> = env()): DatabaseLocation {
  return config.DATABASE_URL
    ? { kind: 'postgres', url: config.DATABASE_URL }
    : { kind: 'pglite', dataDir: config.DATA_DIR };
}

/** Opens the database at `location`: PGlite in-process or a PostgreSQL pool. */
export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  const database = location.kind === 'postgres' ? await openPostgres(location.url) : await openPglite(location.dataDir);
  runners.set(database.prisma, database.sql);
  return database;
}

// Each open database's plain-SQL runner, by its Prisma client (on globalThis: every bundle Next builds
// sees the same), for the hot path that hands on a client but skips Prisma's query layer (audit batches).
const runners: WeakMap<PrismaClient, SqlRunner> = ((globalThis as { strongroomSqlRunners?: WeakMap<PrismaClient, SqlRunner> }).strongroomSqlRunners ??= new WeakMap());

/** The plain-SQL runner of the database whose Prisma client this is, if openDatabase opened it. */
export const sqlRunnerOf = (prisma: PrismaClient): SqlRunner | undefined => runners.get(prisma);

/** PGlite whose transactions (Prisma's and plain SQL's) are timed for the metrics. */
class TimedPGlite extends PGlite {
  override async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await super.transaction(work);
    } finally {
      databaseHeld.observe({ database: 'pglite' }, (performance.now() - started) / 1000);
    }
  }
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const unlock = inMemory ? () => {} : lockDataDirectory(dataDir);
  let client: PGlite;
  try {
    client = inMemory ? new TimedPGlite(dataDir) : new TimedPGlite(join(dataDir, 'pglite'));
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const runner = (target: Pick<PGlite, 'exec' | 'query'>) => ({
    exec: async (sql: string) => {
      await target.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await target.query<Row>(sql, params)).rows,
  });
  return {
    kind: 'pglite',
    prisma,
    sql: { ...runner(client), transaction: (work) => client.transaction((tx) => work(runner(tx))) },
    // In-process: nothing to lose, nothing to reconnect.
    async listen(channel, { onMessage, onConnected }) {
      const unlisten = await client.listen(channel, onMessage);
      onConnected?.();
      return () => unlisten();
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
      unlock();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  // One pool for Prisma and for plain SQL.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // An idle connection dropped by the server must not crash the process, and pg's error object
  // carries the connection parameters (password included): log the code and message only.
  pool.on('error', (error: Error & { code?: string }) =>
    logger().warn({ event: 'db.connection_lost', code: error.code }, error.message),
  );
  // Each use of a connection, timed from the pool handing it out to its return; the pool's counts.
  const handedOut = new WeakMap<pg.PoolClient, number>();
  pool.on('acquire', (client) => handedOut.set(client, performance.now()));
  pool.on('release', (_error, client) => {
    const at = handedOut.get(client);
    if (at !== undefined) databaseHeld.observe({ database: 'postgres' }, (performance.now() - at) / 1000);
  });
  const unwatch = watchPool(pool);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const runner = (target: pg.Pool | pg.PoolClient) => ({
    exec: async (sql: string) => {
      await target.query(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) =>
      (await target.query(sql, params)).rows as Row[],
  });
  return {
    kind: 'postgres',
    prisma,
    sql: {
      ...runner(pool),
      async transaction(work) {
        const connection = await pool.connect();
        try {
          await connection.query('BEGIN');
          const result = await work(runner(connection));
          await connection.query('COMMIT');
          return result;
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          connection.release();
        }
      },
    },
    listen: (channel, handlers) => listenPostgres(url, channel, handlers),
    async close() {
      unwatch();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** LISTEN on a connection of its own (a pooled one would be handed to others), reconnecting when it is lost. */
async function listenPostgres(url: string, channel: string, { onMessage, onConnected, retryMs = 250 }: ListenHandlers): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (delayMs: number): Promise<void> => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    next.on('notification', (message) => message.channel === channel && onMessage(message.payload ?? ''));
    let lost = false;
    let wait = delayMs;
    const reconnect = (error?: Error & { code?: string }) => {
      if (lost || stopped) return;
      lost = true;
      client = null;
      logger().warn({ event: 'db.listener_lost', channel, code: error?.code }, error?.message ?? 'listener connection ended');
      next.end().catch(() => {});
      retry = setTimeout(() => void connect(Math.min(wait * 2, 30_000)), wait);
    };
    next.on('error', reconnect);
    next.on('end', () => reconnect());
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
    } catch (error) {
      return reconnect(error as Error);
    }
    if (stopped) return void next.end().catch(() => {});
    client = next;
    wait = retryMs;
    onConnected?.();
  };
  await connect(retryMs);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
