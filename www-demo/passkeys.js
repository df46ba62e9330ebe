// The demo's Passkeys panel (raw API): passkey sign-in and an email code without a password
// (choice-based sign-in, USER_AUTH) from the sign-in form; create / list / delete passkeys
// while signed in. WebAuthn needs the page on http://localhost:PORT (not 127.0.0.1).
const $ = (id) => document.getElementById(id);

export function installPasskeys(ctx) {
  const { auth } = ctx;
  const supported = ctx.CognitoAuth.isPasskeySupported();
  $('passkey-note').textContent = supported
    ? ''
    : 'This browser cannot use passkeys on this page (open it as http://localhost:PORT/, or over https).';
  const run = (f) => async () => {
    ctx.clearError();
    try { await f(); } catch (err) { ctx.showError(err); }
  };
  const username = () => {
    const u = $('username').value.trim();
    if (!u) throw { code: 'UsernameRequired', message: 'Enter your username first.' };
    return u;
  };
  $('passkey-signin').hidden = !supported;
  $('passkey-signin').addEventListener('click', run(async () => {
    ctx.handleSignIn(await auth.signIn({ username: username(), preferredChallenge: 'WEB_AUTHN' }));
  }));
  // No password: Cognito answers SELECT_CHALLENGE with the user's factors; pick EMAIL_OTP.
  $('email-code-signin').addEventListener('click', run(async () => {
    const r = await auth.signIn({ username: username() });
    if (r.type === 'challenge' && r.name === 'SELECT_CHALLENGE' && r.availableChallenges.includes('EMAIL_OTP')) {
      ctx.handleSignIn(await auth.respondToChallenge({ answer: 'EMAIL_OTP' }));
    } else {
      ctx.handleSignIn(r);
    }
  }));

  const list = $('passkey-list');
  async function refresh() {
    const { passkeys } = await auth.listPasskeys();
    list.textContent = '';
    for (const p of passkeys) {
      const li = document.createElement('li');
      li.dataset.credentialId = p.credentialId;
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'secondary';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', `Delete passkey ${p.friendlyName ?? p.credentialId}`);
      del.dataset.testid = 'delete-passkey';
      del.addEventListener('click', run(async () => {
        await auth.deletePasskey(p.credentialId);
        await refresh();
        ctx.status('Passkey deleted.');
      }));
      const when = p.createdAt === null ? '?' : new Date(p.createdAt).toISOString();
      li.append(`${p.friendlyName ?? 'Passkey'} (${p.authenticatorAttachment ?? 'unknown'}, ${p.credentialId.slice(0, 12)}…, created ${when}) `, del);
      list.append(li);
    }
    list.dataset.count = String(passkeys.length);
    ctx.status(`${passkeys.length} passkey(s).`);
  }
  $('register-passkey').hidden = !supported;
  $('register-passkey').addEventListener('click', run(async () => {
    const { credentialId } = await auth.registerPasskey();
    await refresh();
    ctx.status(`Passkey ${credentialId} created.`);
  }));
  $('list-passkeys').addEventListener('click', run(refresh));
  return { reset() { list.textContent = ''; delete list.dataset.count; } };
}
