import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * Which client message a fault applies to: a simple Query or an extended-protocol Parse whose SQL
 * matches `statement`, optionally only inside a transaction (since its BEGIN / START TRANSACTION,
 * on the same connection) that has already sent a statement matching `inTransactionWith`. E.g. the
 * COMMIT of the transaction that inserted a refund:
 * `{ statement: /^COMMIT/i, inTransactionWith: /INSERT INTO "refunds"/ }`.
 */
export interface StatementMatch {
  statement: RegExp;
  inTransactionWith?: RegExp;
}

type FaultKind = 'cut-reply' | 'blackout';

interface Fault {
  kind: FaultKind;
  match: StatementMatch;
  resolve: (sql: string) => void;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A TCP proxy between the app's connection pool and PostgreSQL that reads the client's side of
 * the wire protocol (message framing only; everything is relayed byte for byte) so a test can
 * make the network fail at an exact point of a conversation:
 * - `cutReplyTo(match)`: the matching message (and whatever the client sends with it, e.g. the
 *   Bind/Execute/Sync after a Parse) reaches the server; the moment the server's answer begins,
 *   both sockets are closed and not one byte of it reaches the client. For a statement in
 *   autocommit or a COMMIT this is "the commit happened and its reply was lost": the server
 *   sends a COMMIT's CommandComplete after the commit, and holds a small extended-protocol
 *   answer in its output buffer until Sync, which comes after the implicit commit.
 * - `blackoutAt(match)`: the matching message never reaches the server; every connection is
 *   closed and new ones are refused until `restore()`: the database is unreachable.
 * Each fault fires once; the promise it returns resolves with the SQL it fired on.
 */
export class PgProxy {
  private server: Server | undefined;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly faults: Fault[] = [];
  private refusing = false;
  private listenPort = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const connection: ProxiedConnection = new ProxiedConnection(
        client,
        this.target,
        (sql, transaction): 'forward' | 'drop' => this.onStatement(connection, sql, transaction),
      );
      this.connections.add(connection);
      connection.onClose(() => this.connections.delete(connection));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.listenPort = (this.server.address() as { port: number }).port;
    return this;
  }

  get port(): number {
    return this.listenPort;
  }

  /** A connection string for `database` through the proxy (as `postgres`, trust auth). */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.listenPort}/${database}`;
  }

  /** Lets the matching message through, then closes the connection as its answer begins. */
  cutReplyTo(match: StatementMatch): Promise<string> {
    return this.arm('cut-reply', match);
  }

  /** Swallows the matching message, closes every connection and refuses new ones until restore(). */
  blackoutAt(match: StatementMatch): Promise<string> {
    return this.arm('blackout', match);
  }

  restore(): void {
    this.refusing = false;
  }

  /** Faults armed but not fired yet. */
  get armed(): number {
    return this.faults.length;
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  private arm(kind: FaultKind, match: StatementMatch): Promise<string> {
    return new Promise((resolve) => this.faults.push({ kind, match, resolve }));
  }

  /** Decides what happens to a client statement: 'forward', or 'drop' (never sent on). */
  private onStatement(
    connection: ProxiedConnection,
    sql: string,
    transactionStatements: string[],
  ): 'forward' | 'drop' {
    const index = this.faults.findIndex(
      (fault) =>
        fault.match.statement.test(sql) &&
        (fault.match.inTransactionWith === undefined ||
          transactionStatements.some((earlier) => fault.match.inTransactionWith?.test(earlier))),
    );
    if (index < 0) return 'forward';
    const [fault] = this.faults.splice(index, 1);
    if (fault.kind === 'cut-reply') {
      connection.cutOnNextReply(() => fault.resolve(sql));
      return 'forward';
    }
    this.refusing = true;
    for (const other of this.connections) other.destroy();
    fault.resolve(sql);
    return 'drop';
  }
}

/** One client connection and its server connection, with the client's messages framed. */
class ProxiedConnection {
  private pending = Buffer.alloc(0);
  private startupDone = false;
  /** SQL sent since the current transaction began (simple Query and Parse). */
  private transaction: string[] = [];
  private cutting: (() => void) | undefined;
  private readonly server: Socket;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly client: Socket,
    target: { host: string; port: number },
    private readonly decide: (sql: string, transaction: string[]) => 'forward' | 'drop',
  ) {
    this.server = connect(target.port, target.host);
    client.setNoDelay(true);
    this.server.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    this.server.on('data', (chunk: Buffer) => {
      if (this.cutting) {
        const fired = this.cutting;
        this.cutting = undefined;
        this.destroy();
        fired();
        return;
      }
      client.write(chunk);
    });
    for (const socket of [client, this.server]) {
      socket.on('error', () => this.destroy());
      socket.on('close', () => this.destroy());
    }
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  cutOnNextReply(fired: () => void): void {
    this.cutting = fired;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.server.destroy();
    for (const listener of this.closeListeners) listener();
  }

  private fromClient(chunk: Buffer): void {
    if (this.closed) return;
    this.pending = Buffer.concat([this.pending, chunk]);
    let forwardUpTo = 0;
    for (;;) {
      const message = this.nextMessage(forwardUpTo);
      if (message === undefined) break;
      const sql = message.sql;
      if (sql !== undefined) {
        if (/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(sql)) this.transaction = [];
        if (this.decide(sql, this.transaction) === 'drop') {
          this.destroy();
          return;
        }
        if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(sql)) this.transaction = [];
        else this.transaction.push(sql);
      }
      forwardUpTo = message.end;
    }
    if (forwardUpTo > 0) {
      this.server.write(this.pending.subarray(0, forwardUpTo));
      this.pending = this.pending.subarray(forwardUpTo);
    }
  }

  /** The complete message starting at `offset` of the pending bytes, if it has all arrived. */
  private nextMessage(offset: number): { end: number; sql?: string } | undefined {
    const bytes = this.pending;
    if (!this.startupDone) {
      // StartupMessage, SSLRequest or GSSENCRequest: no type byte, a length, then a code.
      if (bytes.length - offset < 8) return undefined;
      const length = bytes.readInt32BE(offset);
      if (bytes.length - offset < length) return undefined;
      const code = bytes.readInt32BE(offset + 4);
      if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startupDone = true;
      return { end: offset + length };
    }
    if (bytes.length - offset < 5) return undefined;
    const length = bytes.readInt32BE(offset + 1);
    const end = offset + 1 + length;
    if (bytes.length < end) return undefined;
    const type = String.fromCharCode(bytes[offset]);
    const body = bytes.subarray(offset + 5, end);
    if (type === 'Q') return { end, sql: cString(body, 0).text };
    if (type === 'P') {
      const name = cString(body, 0);
      return { end, sql: cString(body, name.next).text };
    }
    return { end };
  }
}

function cString(bytes: Buffer, start: number): { text: string; next: number } {
  const zero = bytes.indexOf(0, start);
  const stop = zero < 0 ? bytes.length : zero;
  return { text: bytes.toString('utf8', start, stop), next: stop + 1 };
}
