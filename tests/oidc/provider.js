// A real OpenID Connect provider for the tests: panva's certified `oidc-provider`,
// listening on 127.0.0.1 only, with one confidential client (the dashboard) and a
// minimal sign-in page where the login is an e-mail address. Started and stopped by
// tests/oidc_provider.py; configured through the environment:
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI
// Accounts: any login is accepted; `x@y.fr` signs in with the verified e-mail x@y.fr,
// `unverified:x@y.fr` with the e-mail x@y.fr marked as not verified (email_verified=false).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing ${name}`);
    process.exit(2);
  }
  return value;
};
const port = Number(env('OIDC_PORT'));
const clientId = env('OIDC_CLIENT_ID');
const clientSecret = env('OIDC_CLIENT_SECRET');
const redirectUri = env('OIDC_REDIRECT_URI');
const issuer = `http://127.0.0.1:${port}`;
const SCOPE = 'openid email profile';

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>${html(title)}</title></head><body><main><h1>${html(title)}</h1>${body}</main></body></html>`;

function account(login) {
  const unverified = login.startsWith('unverified:');
  const email = unverified ? login.slice('unverified:'.length) : login;
  return { sub: login, email, email_verified: !unverified, name: email };
}

// Streamlit asks for prompt=select_account by default: accept it, and answer it
// with the same sign-in page as `login`.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    // Streamlit's st.logout() sends the user back to its redirect URI after signing out here
    post_logout_redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Streamlit reads the identity from the ID token only; put the scope's claims there,
  // as Keycloak and Microsoft Entra do.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => account(id) }),
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // the dashboard is first-party: no consent screen
  async loadExistingGrant(ctx) {
    const { client, account: acc, provider: op, session } = ctx.oidc;
    const grantId = session.grantIdFor(client.clientId);
    const existing = grantId && await op.Grant.find(grantId);
    if (existing && existing.accountId === acc.accountId) return existing;
    const grant = new op.Grant({ clientId: client.clientId, accountId: acc.accountId });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Déconnexion du fournisseur d\'identité de test', `${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Oui, me déconnecter</button>
<button type="submit" form="op.logoutForm">Non, rester connecté</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Déconnecté du fournisseur d\'identité de test', '');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur du fournisseur d\'identité de test',
      `<pre>${html(JSON.stringify(out, null, 2))}</pre>`);
  },
});

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function signInPage(uid, error) {
  return page('Fournisseur d\'identité de test', `
${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}">
<label for="login">Adresse e-mail</label>
<input id="login" name="login" type="text" autofocus autocomplete="email">
<button type="submit">Continuer</button>
</form>`);
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const { uid, prompt } = await provider.interactionDetails(req, res);
    if (!['login', 'select_account'].includes(prompt.name)) {
      throw new Error(`unexpected prompt ${prompt.name}`);
    }
    const login = req.method === 'POST' ? ((await readForm(req)).get('login') || '').trim() : null;
    if (!login) {
      res.writeHead(login === null ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(signInPage(uid, login === null ? '' : 'Saisissez une adresse e-mail.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login }, select_account: {} },
      { mergeWithLastSubmission: false });
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Erreur du fournisseur d\'identité de test', `<pre>${html(err.message)}</pre>`));
  }
});

server.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
