// Challenges and account self-service for the demo: one panel at a time, built on demand
// (so the sign-in form's labels stay unique), each a small form over the library's API.

let ctx;
let panelEl = null;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
}

export function closePanel() {
  panelEl?.remove();
  panelEl = null;
}

/**
 * Shows a form: `fields` = [{ name, label, type?, options?, value? }], `info` = [[testid, text]].
 * `onSubmit(values)` runs with the button disabled; a rejection shows the error and keeps
 * the form (so a wrong code can be corrected).
 */
function panel(title, info, fields, submitLabel, onSubmit, state = 'panel') {
  closePanel();
  const form = el('form', { id: 'panel', noValidate: true, dataset: { testid: 'panel' } });
  form.append(el('h2', { dataset: { testid: 'panel-title' } }, title));
  for (const [testid, text] of info) {
    if (text === undefined || text === null || text === '') continue;
    form.append(el('p', { className: 'info', dataset: { testid } }, String(text)));
  }
  for (const f of fields) {
    const id = `f-${f.name}`;
    const input = f.options
      ? el('select', { id, name: f.name, dataset: { testid: `field-${f.name}` } },
        ...f.options.map((o) => el('option', { value: o }, o)))
      : el('input', { id, name: f.name, type: f.type ?? 'text', autocomplete: 'off', dataset: { testid: `field-${f.name}` } });
    if (f.value !== undefined) input.value = f.value;
    form.append(el('div', { className: 'field' }, el('label', { htmlFor: id }, f.label), input));
  }
  const button = el('button', { type: 'submit', dataset: { testid: 'panel-submit' } }, submitLabel);
  const cancel = el('button', { type: 'button', className: 'secondary', dataset: { testid: 'panel-cancel' } }, 'Cancel');
  cancel.addEventListener('click', () => { closePanel(); ctx.refresh(); });
  form.append(button, ' ', cancel);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    ctx.clearError();
    const values = {};
    for (const f of fields) values[f.name] = form.elements[f.name].value.trim();
    button.disabled = true;
    document.body.dataset.state = 'busy';
    try {
      await onSubmit(values);
    } catch (err) {
      ctx.showError(err);
      document.body.dataset.state = state;
    } finally {
      button.disabled = false;
    }
  });
  $('signin-form').hidden = true;
  $('session').hidden = true;
  $('main').append(form);
  panelEl = form;
  document.body.dataset.state = state;
  ctx.status(title);
  form.querySelector('input, select')?.focus();
}

const $ = (id) => document.getElementById(id);

/** Continues a sign-in result: a session, or the next challenge. */
export function handleSignIn(r) {
  if (r.type === 'signedIn') {
    closePanel();
    ctx.showSession(r.session);
    if (r.newDevice) {
      ctx.status(r.newDevice.remembered ? `Device ${r.newDevice.deviceKey} remembered.`
        : `New device ${r.newDevice.deviceKey}: use "Remember this device" to skip MFA next time.`);
    }
    return;
  }
  showChallenge(r);
}

const MFA_LABEL = { SMS_MFA: 'SMS code', EMAIL_OTP: 'Email code', SMS_OTP: 'SMS code', SOFTWARE_TOKEN_MFA: 'Authenticator code' };

function showChallenge(c) {
  const answer = async (input) => handleSignIn(await ctx.auth.respondToChallenge(input));
  switch (c.name) {
    case 'SMS_MFA':
    case 'EMAIL_OTP':
    case 'SMS_OTP':
    case 'SOFTWARE_TOKEN_MFA':
      panel(`${MFA_LABEL[c.name]} required`, [['challenge-name', c.name], ['code-destination', c.codeDelivery?.destination]],
        [{ name: 'code', label: MFA_LABEL[c.name] }], 'Verify', (v) => answer({ code: v.code }), 'challenge');
      break;
    case 'MFA_SETUP':
      panel('Set up an authenticator app', [['challenge-name', c.name], ['totp-secret', c.secretCode], ['totp-uri', c.totpUri]],
        [{ name: 'code', label: 'Authenticator code' }, { name: 'deviceName', label: 'Authenticator name', value: 'Demo authenticator' }],
        'Verify', (v) => answer({ code: v.code, deviceName: v.deviceName }), 'challenge');
      break;
    case 'NEW_PASSWORD_REQUIRED':
      panel('Choose a new password', [['challenge-name', c.name]],
        [{ name: 'newPassword', label: 'New password', type: 'password' },
          ...c.requiredAttributes.map((a) => ({ name: `attr-${a}`, label: a }))],
        'Set password', (v) => {
          const attributes = {};
          for (const a of c.requiredAttributes) attributes[a] = v[`attr-${a}`];
          return answer({ newPassword: v.newPassword, attributes });
        }, 'challenge');
      break;
    case 'SELECT_MFA_TYPE':
      panel('Choose how to verify', [['challenge-name', c.name]],
        [{ name: 'mfaType', label: 'Method', options: c.allowedMfaTypes }], 'Continue',
        (v) => answer({ mfaType: v.mfaType }), 'challenge');
      break;
    case 'SELECT_CHALLENGE':
      // Choice-based sign-in: a factor, and the password for PASSWORD / PASSWORD_SRP.
      panel('Choose how to sign in', [['challenge-name', c.name]],
        [{ name: 'factor', label: 'Sign-in method', options: c.availableChallenges },
          { name: 'factorPassword', label: 'Password (for PASSWORD / PASSWORD_SRP)', type: 'password' }], 'Continue',
        (v) => answer(v.factor.startsWith('PASSWORD') ? { answer: v.factor, password: v.factorPassword } : { answer: v.factor }), 'challenge');
      break;
    case 'CUSTOM_CHALLENGE':
      panel('Answer the challenge', [['challenge-name', c.name], ['challenge-question', c.parameters.question]],
        [{ name: 'answer', label: 'Answer' }], 'Answer', (v) => answer({ answer: v.answer }), 'challenge');
      break;
    default:
      ctx.showError({ code: 'ChallengeNotSupported', message: `Cognito asked for ${c.name}; this demo cannot answer it.` });
      ctx.showSignedOut();
  }
}

function delivered(d) {
  return d ? `${d.medium} to ${d.destination}` : '';
}

function signUp() {
  panel('Create an account', [], [
    { name: 'username', label: 'New username' },
    { name: 'email', label: 'Email address' },
    { name: 'password', label: 'Choose password', type: 'password' },
  ], 'Sign up', async (v) => {
    const r = await ctx.auth.signUp({ username: v.username, password: v.password, attributes: { email: v.email }, autoSignIn: true });
    confirmSignUp(v.username, r.codeDelivery);
  });
}

function confirmSignUp(username, delivery) {
  panel('Confirm your account', [['code-destination', delivered(delivery)]], [{ name: 'code', label: 'Confirmation code' }],
    'Confirm', async (v) => {
      const r = await ctx.auth.confirmSignUp({ username, code: v.code });
      if (r.type === 'confirmed') { closePanel(); ctx.showSignedOut(); ctx.status('Account confirmed: sign in.'); } else handleSignIn(r);
    });
}

function forgotPassword() {
  panel('Reset your password', [], [{ name: 'username', label: 'Account username' }], 'Send code', async (v) => {
    const r = await ctx.auth.forgotPassword({ username: v.username });
    panel('Enter the reset code', [['code-destination', delivered(r.codeDelivery)]],
      [{ name: 'code', label: 'Reset code' }, { name: 'newPassword', label: 'New password', type: 'password' }],
      'Reset password', async (w) => {
        await ctx.auth.confirmForgotPassword({ username: v.username, code: w.code, newPassword: w.newPassword });
        closePanel();
        ctx.showSignedOut();
        ctx.status('Password reset: sign in with the new password.');
      });
  });
}

async function backToSession(message) {
  closePanel();
  const s = await ctx.auth.currentSession();
  if (s) ctx.showSession(s); else ctx.showSignedOut();
  ctx.status(message);
}

async function setUpTotp() {
  const t = await ctx.auth.setUpTotp();
  panel('Set up an authenticator app', [['totp-secret', t.secretCode], ['totp-uri', t.totpUri]],
    [{ name: 'code', label: 'Authenticator code' }, { name: 'deviceName', label: 'Authenticator name', value: 'Demo authenticator' }],
    'Enable', async (v) => {
      await ctx.auth.verifyTotp({ code: v.code, deviceName: v.deviceName });
      await ctx.auth.setMfaPreference({ totp: 'preferred' });
      await backToSession('Authenticator app enabled.');
    });
}

function changePassword() {
  panel('Change password', [], [
    { name: 'oldPassword', label: 'Current password', type: 'password' },
    { name: 'newPassword', label: 'New password', type: 'password' },
  ], 'Change', async (v) => {
    await ctx.auth.changePassword({ oldPassword: v.oldPassword, newPassword: v.newPassword });
    await backToSession('Password changed.');
  });
}

function changeEmail() {
  panel('Change email', [], [{ name: 'email', label: 'New email address' }], 'Save', async (v) => {
    const r = await ctx.auth.updateUserAttributes({ attributes: { email: v.email } });
    const d = r.codeDeliveries[0];
    if (!d) { await showProfile(); return; }
    panel('Verify the new email', [['code-destination', delivered(d)]], [{ name: 'code', label: 'Verification code' }],
      'Verify', async (w) => {
        await ctx.auth.verifyUserAttribute({ name: 'email', code: w.code });
        await showProfile();
      });
  });
}

async function showProfile() {
  const u = await ctx.auth.getUser();
  await backToSession('Profile loaded.');
  const pre = $('profile');
  pre.textContent = JSON.stringify(u, null, 2);
  pre.hidden = false;
}

export function installAccount(c) {
  ctx = c;
  const wrap = (f) => async () => {
    ctx.clearError();
    try { await f(); } catch (err) { ctx.showError(err); }
  };
  $('open-signup').addEventListener('click', wrap(signUp));
  $('open-forgot').addEventListener('click', wrap(forgotPassword));
  $('open-totp').addEventListener('click', wrap(setUpTotp));
  $('open-change-password').addEventListener('click', wrap(changePassword));
  $('open-change-email').addEventListener('click', wrap(changeEmail));
  $('show-profile').addEventListener('click', wrap(showProfile));
  $('remember-device').addEventListener('click', wrap(async () => {
    await ctx.auth.rememberDevice();
    ctx.status('Device remembered.');
  }));
  $('forget-device').addEventListener('click', wrap(async () => {
    await ctx.auth.forgetDevice();
    ctx.status('Device forgotten.');
  }));
  $('list-devices').addEventListener('click', wrap(async () => {
    const list = await ctx.auth.listDevices();
    const pre = $('profile');
    pre.textContent = JSON.stringify(list, null, 2);
    pre.hidden = false;
    ctx.status(`${list.length} device(s).`);
  }));
  $('delete-account').addEventListener('click', wrap(async () => {
    await ctx.auth.deleteUser();
    $('profile').hidden = true;
    ctx.showSignedOut();
    ctx.status('Account deleted.');
  }));
}
