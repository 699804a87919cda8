// A real OpenID provider (npm `oidc-provider`) for Tessera's tests.
//
//   node provider.mjs
//
// Binds 127.0.0.1 on a free port, builds the Provider with the real issuer
// (http://127.0.0.1:<port>), prints exactly one line on stdout:
//
//   READY issuer=http://127.0.0.1:<port>
//
// and serves until SIGTERM/SIGINT. Everything is in memory and a fresh RSA
// signing key is generated on every start. See README.md for the clients,
// accounts and the headless login sequence.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';

import Provider, { interactionPolicy } from 'oidc-provider';

const HOST = '127.0.0.1';

const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1/callback')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

// A fixed port lets a test restart the provider under the same issuer (with a new signing key).
const port0 = Number.parseInt(process.env.OIDC_PORT || '0', 10);

const idTokenTtl = Number.parseInt(process.env.OIDC_ID_TOKEN_TTL || '3600', 10);
if (!Number.isInteger(idTokenTtl) || idTokenTtl <= 0) {
  console.error(`OIDC_ID_TOKEN_TTL must be a positive integer, got ${process.env.OIDC_ID_TOKEN_TTL}`);
  process.exit(2);
}

// ---------------------------------------------------------------- accounts

const STATIC_ACCOUNTS = {
  ada: {
    email: 'ada@example.com', email_verified: true, given_name: 'Ada', family_name: 'Lovelace',
  },
  bob: {
    email: 'bob@corp.example', email_verified: true, given_name: 'Bob', family_name: 'Builder',
  },
  eve: {
    email: 'eve@example.com', email_verified: false, given_name: 'Eve', family_name: 'Example',
  },
};

// `ada`, `bob`, `eve`, or any `<local>@<domain>` (that email, verified).
function lookupAccount(id) {
  if (typeof id !== 'string') return undefined;
  if (Object.hasOwn(STATIC_ACCOUNTS, id)) return STATIC_ACCOUNTS[id];
  if (/^[^@\s]+@[^@\s]+$/.test(id)) return { email: id, email_verified: true };
  return undefined;
}

async function findAccount(ctx, id) {
  const profile = lookupAccount(id);
  if (!profile) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, ...profile };
    },
  };
}

// ------------------------------------------------------------------ clients

// application_type "native": oidc-provider then accepts a registered
// http://127.0.0.1/... (or localhost) redirect URI with ANY port (RFC 8252
// loopback rule), so a test can start Tessera on port 0 after this provider.
// Side effect: native clients always need an interaction (no prompt=none);
// this provider requires an interaction on every /auth anyway.
const common = {
  application_type: 'native',
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

const clients = [
  {
    ...common, client_id: 'tessera', client_secret: 'tessera-secret', token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...common, client_id: 'other-app', client_secret: 'other-secret', token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...common, client_id: 'public-app', token_endpoint_auth_method: 'none',
  },
  // Shaped like a Google client id, for Tessera's Google sign-in tests.
  {
    ...common,
    client_id: 'tessera-test.apps.googleusercontent.com',
    client_secret: 'google-secret',
    token_endpoint_auth_method: 'client_secret_basic',
  },
];

// --------------------------------------------------------- interaction policy

const { base: basePolicy, Check } = interactionPolicy;
const policy = basePolicy();
// Every authorization request goes through /interaction/<uid>, even when the
// cookie jar holds a session: login_hint always decides who logs in.
policy.get('login').checks.add(new Check(
  'always_login',
  'the test provider logs in on every authorization request',
  'login_required',
  (ctx) => (ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT),
));

// -------------------------------------------------------------------- server

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handler(req, res));
server.listen(port0, HOST);
await once(server, 'listening');
const { port } = server.address();
const issuer = `http://${HOST}:${port}`;

const provider = new Provider(issuer, {
  clients,
  findAccount,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
  },
  interactions: {
    policy,
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  // Consent is granted automatically: a grant with everything requested.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    const claims = ctx.oidc.requestParamClaims ? [...ctx.oidc.requestParamClaims] : [];
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },
  ttl: {
    IdToken: idTokenTtl,
    AccessToken: 3600,
    AuthorizationCode: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  renderError(ctx, out, error) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// GET /interaction/<uid>: headless login for the account in login_hint (or OIDC_DEFAULT_ACCOUNT).
async function interaction(req, res) {
  const text = (status, body) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(`${body}\n`);
  };
  if (req.method !== 'GET') return text(405, 'only GET is supported');
  try {
    const details = await provider.interactionDetails(req, res);
    // A real browser clicking a plain "Sign in" link sends no hint; OIDC_DEFAULT_ACCOUNT stands in
    // for the person who would type their name at a real provider.
    const hint = details.params.login_hint || process.env.OIDC_DEFAULT_ACCOUNT;
    if (!hint) return text(400, 'login_hint is required (the account id to log in as)');
    if (!lookupAccount(hint)) return text(400, `unknown account ${JSON.stringify(hint)}`);

    // A session from an earlier login (same cookie jar) for another account
    // would make oidc-provider ask for a logout confirmation; drop it so the
    // new account simply logs in.
    if (details.session && details.session.accountId !== hint) {
      if (details.session.cookie) {
        const old = await provider.Session.find(details.session.cookie);
        if (old) await old.destroy();
      }
      details.session = undefined;
      await details.save(details.exp - Math.floor(Date.now() / 1000));
    }

    return await provider.interactionFinished(
      req,
      res,
      { login: { accountId: hint }, consent: {} },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    return text(400, `interaction failed: ${err.name}: ${err.error_description || err.message}`);
  }
}

const callback = provider.callback();
handler = (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  if (/^\/interaction\/[^/]+$/.test(pathname)) {
    interaction(req, res).catch((err) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(String(err));
    });
    return;
  }
  callback(req, res);
};

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

process.stdout.write(`READY issuer=${issuer}\n`);
