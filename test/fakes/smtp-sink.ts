import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  to: string[];
  from: string;
  /** The Message-ID header, e.g. <notification-…@localhost>. */
  messageId: string;
  subject: string;
  text: string;
  html: string;
  /** The message as it came over the wire (headers and encoded parts). */
  raw: string;
}

/**
 * A real SMTP server (nodemailer's `smtp-server`) on a loopback port for tests and the bench:
 * plain SMTP with AUTH PLAIN/LOGIN against one generated account, every accepted mail kept. Set
 * `refusing` to answer MAIL FROM with 421 (try again later), as a server that is down for a while
 * does. With `parse: false` mails are kept raw (the bench counts them by Message-ID).
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  readonly user = 'mailer';
  readonly password = `smtp-pass-${randomBytes(12).toString('hex')}`;
  refusing = false;
  /** MAIL FROM commands refused while `refusing`. */
  refusals = 0;
  private server?: SMTPServer;
  private port = 0;

  constructor(private readonly options: { parse?: boolean } = {}) {}

  async start(): Promise<this> {
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      size: 1024 * 1024,
      maxClients: 64,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.user && auth.password === this.password)
          return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
      onMailFrom: (_address, _session, callback) => {
        if (!this.refusing) return callback();
        this.refusals++;
        return callback(
          Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }),
        );
      },
      onData: (stream, session, callback) => {
        void this.receive(stream, session.envelope).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  /** SMTP_URL for the app, with this server's account. */
  get url(): string {
    return `smtp://${this.user}:${this.password}@127.0.0.1:${this.port}`;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(
          `mail condition not met within ${timeoutMs} ms (${this.mails.length} mails)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async receive(
    stream: SMTPServerDataStream,
    envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] },
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const to = envelope.rcptTo.map((r) => r.address);
    const from = envelope.mailFrom ? envelope.mailFrom.address : '';
    if (this.options.parse === false) {
      const messageId = /^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? '';
      this.mails.push({ to, from, messageId, subject: '', text: '', html: '', raw });
      return;
    }
    const parsed = await simpleParser(raw);
    this.mails.push({
      to,
      from,
      messageId: parsed.messageId ?? '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      raw,
    });
  }
}
