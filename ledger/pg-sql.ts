/** PostgreSQL plumbing shared by the ledger's store and its log: placeholders, transactions, bulk inserts. */
import pg from 'pg';

/** `?` placeholders → `$1, $2, …` */
export const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

// BIGINT comes back as a string by default; ts_ms, ids and counts fit a double. Set on our pools only, not
// on pg's global parsers, which every other pg user of the process shares.
export const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** The connection broke (a server restart, a failover): the statement waiting on it fails on its own. */
export const ignoreError = () => undefined;

/** Runs `work` in one transaction on a connection of its own; rolls back when it throws. */
export async function transaction(pool: pg.Pool, begin: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  // a checked-out client has no error listener of the pool's: a connection cut between two statements
  // would be an uncaught 'error' event, ending the process
  client.on('error', ignoreError);
  let broken = false;
  try {
    await client.query(begin);
    await work(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.off('error', ignoreError);
    client.release(broken);
  }
}

/** Rows per INSERT: 19 columns × 1,000 stays far below the protocol's 65,535 parameters per statement. */
export const ROWS_PER_INSERT = 1_000;

/**
 * Inserts rows with multi-row VALUES, ROWS_PER_INSERT at a time: one round trip per thousand rows instead of
 * one per row, which is what a batch costs when the server is across a network. Rows keep their order.
 */
export async function insertMany(client: pg.PoolClient, into: string, rows: unknown[][], suffix = ''): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    let n = 0;
    const values = chunk.map((row) => `(${row.map(() => `$${++n}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${into} VALUES ${values} ${suffix}`, chunk.flat());
  }
}

