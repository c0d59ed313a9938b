// A real OpenID Connect provider for development and tests (npm `oidc-provider`), with demo accounts.
//
//   node dev/oidc/provider.mjs --port 9000 --issuer http://127.0.0.1:9000 \
//        --clients '[{"client_id":"entrelieux","client_secret":"...","redirect_uris":["..."]}]' \
//        [--proconnect] [--accounts accounts.json] [--jwks private-jwks.json]
//
// --proconnect behaves like ProConnect: no PKCE, only its documented /authorize parameters,
// state and nonce of at least 32 characters, profile claims only in a signed-JWT userinfo,
// authorization codes valid 30 s. Never expose this provider beyond loopback.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    issuer: { type: 'string' },
    clients: { type: 'string', default: '[]' },
    proconnect: { type: 'boolean', default: false },
    accounts: { type: 'string', default: path.join(here, 'accounts.json') },
    jwks: { type: 'string' },
  },
});
const port = Number(args.port);
const issuer = args.issuer ?? `http://127.0.0.1:${port}`;
const accounts = JSON.parse(fs.readFileSync(args.accounts, 'utf8'));
const proconnect = args.proconnect;

// ProConnect's documented /authorize parameters; anything else is refused there.
const PROCONNECT_PARAMETERS = new Set([
  'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce',
  'acr_values', 'claims', 'prompt', 'login_hint',
]);
const CLAIMS = ['email', 'given_name', 'usual_name', 'siret', 'organizational_unit', 'legal_category'];

function signingKeys() {
  if (args.jwks) return JSON.parse(fs.readFileSync(args.jwks, 'utf8'));
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' }] };
}

function clientMetadata(client) {
  return {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: proconnect ? 'client_secret_post' : 'client_secret_basic',
    ...(proconnect ? { userinfo_signed_response_alg: 'RS256' } : {}),
    ...client,
  };
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const configuration = {
  clients: JSON.parse(args.clients).map(clientMetadata),
  jwks: signingKeys(),
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  // Profile claims in the ID token, as most providers do; ProConnect keeps them in userinfo.
  conformIdTokenClaims: proconnect,
  // The e-mail scope also says whether the address was verified (a claim on a place may rest on it).
  claims: Object.fromEntries([
    ['openid', ['sub']],
    ...CLAIMS.map((claim) => [claim, claim === 'email' ? ['email', 'email_verified'] : [claim]]),
  ]),
  scopes: ['openid', ...CLAIMS],
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: proconnect },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>Déconnexion</title>
          <h1>Se déconnecter du fournisseur de démonstration ?</h1>${form}
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>`;
      },
    },
  },
  pkce: { required: () => !proconnect },
  ttl: proconnect ? { AuthorizationCode: 30 } : {},
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id };
        for (const claim of CLAIMS) if (account[claim] !== undefined) claims[claim] = account[claim];
        // Demo addresses count as verified unless an account says otherwise.
        if (account.email !== undefined) claims.email_verified = account.email_verified ?? true;
        return claims;
      },
    };
  },
  // Every client here is first-party: grant what it asks for, no consent screen.
  async loadExistingGrant(ctx) {
    const { client, session, params } = ctx.oidc;
    const known = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    const grant = (known && (await ctx.oidc.provider.Grant.find(known)))
      || new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(String(params.scope ?? 'openid'));
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><meta charset="utf-8"><title>Erreur</title>
      <h1>${escape(out.error)}</h1><p>${escape(out.error_description ?? '')}</p>`;
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

if (proconnect) {
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      const unknown = Object.keys(ctx.query).filter((name) => !PROCONNECT_PARAMETERS.has(name));
      const short = ['state', 'nonce'].filter((name) => String(ctx.query[name] ?? '').length < 32);
      if (unknown.length || short.length) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', unknown_parameters: unknown, too_short: short };
        return;
      }
    }
    await next();
  });
}

function loginPage(uid, error = '') {
  const rows = Object.entries(accounts)
    .map(([id, a]) => `<li><code>${escape(id)}</code> — ${escape(a.description ?? a.email)}</li>`)
    .join('');
  return `<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>Comptes de démonstration</title>
    <h1>Comptes de démonstration</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${escape(uid)}">
      <label>Identifiant <input name="login" autocomplete="username" required></label>
      <label>Mot de passe <input name="password" type="password" required></label>
      <button type="submit">Se connecter</button>
    </form><p>Mot de passe de tous les comptes : <code>demo</code></p><ul>${rows}</ul></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    throw new Error(`unexpected prompt ${details.prompt.name}`);
  }
  const send = (status, html) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  };
  if (req.method === 'GET') return send(200, loginPage(uid));
  const form = await readForm(req);
  const account = accounts[form.get('login')];
  if (!account || account.password !== form.get('password')) {
    return send(200, loginPage(uid, 'Identifiant ou mot de passe incorrect.'));
  }
  return provider.interactionFinished(
    req, res, { login: { accountId: form.get('login') } }, { mergeWithLastSubmission: false },
  );
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return handle(req, res);
  try {
    await interaction(req, res, match[1]);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${error.message}`);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}${proconnect ? ' (ProConnect mode)' : ''}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
