import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogleIdentity {
  sub: string;
  email: string;
  email_verified: boolean | string;
  name?: string;
}

export interface FakeGoogleOptions {
  clientId: string;
  clientSecret: string;
}

interface IssuedCode {
  identity: FakeGoogleIdentity;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  used: boolean;
}

export interface TokenRequestRecord {
  params: Record<string, string>;
  status: number;
}

export interface FakeGoogle {
  url: string;
  authUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  /** The account the next consent screen "signs in"; every authorization uses the latest one set. */
  setIdentity(identity: FakeGoogleIdentity): void;
  /** Every POST to the token endpoint, as received. */
  tokenRequests: TokenRequestRecord[];
  /** Env for createTestApp pointing the API at this server. */
  env(callbackUrl?: string): Record<string, string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A loopback stand-in for Google's OAuth 2.0 / OpenID endpoints speaking their wire format:
 * the authorization endpoint redirects straight back with a code (as if the person consented),
 * the token endpoint takes a form-encoded authorization_code grant (checking client credentials,
 * redirect_uri, single use and the PKCE S256 verifier) and answers JSON, and the userinfo
 * endpoint answers `{sub, email, email_verified, name}` for a valid bearer access token.
 */
export async function startFakeGoogle(options: FakeGoogleOptions): Promise<FakeGoogle> {
  let identity: FakeGoogleIdentity = {
    sub: '100000000000000000001',
    email: 'person@example.com',
    email_verified: true,
  };
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, FakeGoogleIdentity>();
  const tokenRequests: TokenRequestRecord[] = [];

  const authorize = (url: URL, res: ServerResponse): void => {
    const q = url.searchParams;
    if (
      q.get('response_type') !== 'code' ||
      q.get('client_id') !== options.clientId ||
      !q.get('redirect_uri')
    ) {
      json(res, 400, { error: 'invalid_request' });
      return;
    }
    const code = `4/${randomBytes(16).toString('base64url')}`;
    codes.set(code, {
      identity,
      clientId: q.get('client_id') as string,
      redirectUri: q.get('redirect_uri') as string,
      codeChallenge: q.get('code_challenge') ?? undefined,
      codeChallengeMethod: q.get('code_challenge_method') ?? undefined,
      used: false,
    });
    const back = new URL(q.get('redirect_uri') as string);
    back.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    // Google appends these too; the callback must tolerate them.
    back.searchParams.set('scope', q.get('scope') ?? '');
    back.searchParams.set('authuser', '0');
    back.searchParams.set('prompt', 'consent');
    res.writeHead(302, { Location: back.toString() });
    res.end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const answer = (status: number, body: unknown): void => {
      tokenRequests.push({ params, status });
      json(res, status, body);
    };
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      answer(400, { error: 'invalid_request', error_description: 'form-encoded body required' });
      return;
    }
    if (params.client_id !== options.clientId || params.client_secret !== options.clientSecret) {
      answer(401, {
        error: 'invalid_client',
        error_description: 'The OAuth client was not found.',
      });
      return;
    }
    const issued = codes.get(params.code ?? '');
    if (
      params.grant_type !== 'authorization_code' ||
      !issued ||
      issued.used ||
      issued.redirectUri !== params.redirect_uri
    ) {
      answer(400, { error: 'invalid_grant', error_description: 'Bad Request' });
      return;
    }
    if (issued.codeChallenge !== undefined) {
      const verifier = params.code_verifier ?? '';
      const derived =
        issued.codeChallengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (derived !== issued.codeChallenge) {
        answer(400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
        return;
      }
    }
    issued.used = true;
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(accessToken, issued.identity);
    answer(200, {
      access_token: accessToken,
      expires_in: 3599,
      scope:
        'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile',
      token_type: 'Bearer',
      id_token: 'eyJhbGciOiJSUzI1NiJ9.fake.fake',
    });
  };

  const userInfo = (req: IncomingMessage, res: ServerResponse): void => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const who = match ? accessTokens.get(match[1]) : undefined;
    if (!who) {
      json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' });
      return;
    }
    json(res, 200, {
      sub: who.sub,
      name: who.name,
      email: who.email,
      email_verified: who.email_verified,
      picture: 'https://lh3.googleusercontent.com/a/fake',
    });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/o/oauth2/v2/auth') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') {
      token(req, res).catch(() => json(res, 500, { error: 'server_error' }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/userinfo') return userInfo(req, res);
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    authUrl: `${base}/o/oauth2/v2/auth`,
    tokenUrl: `${base}/token`,
    userInfoUrl: `${base}/v1/userinfo`,
    tokenRequests,
    setIdentity: (next) => {
      identity = next;
    },
    env: (callbackUrl = 'http://localhost:3000/api/v1/auth/google/callback') => ({
      GOOGLE_CLIENT_ID: options.clientId,
      GOOGLE_CLIENT_SECRET: options.clientSecret,
      GOOGLE_CALLBACK_URL: callbackUrl,
      GOOGLE_AUTH_URL: `${base}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${base}/token`,
      GOOGLE_USERINFO_URL: `${base}/v1/userinfo`,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
