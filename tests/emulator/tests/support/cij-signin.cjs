// Signs in against the emulator with the real amazon-cognito-identity-js.
// usage: node cij-signin.cjs EMULATOR_URL PATH_TO_amazon-cognito-identity-js
// Prints one line per case: "<case> OK <cognito:username>" or "<case> ERR <code>".
const cij = require(process.argv[3]);
const pool = new cij.CognitoUserPool({
  UserPoolId: 'us-east-1_EmuPool01',
  ClientId: '7f3kq2m9emulatorclient0001',
  endpoint: process.argv[2] + '/',
});

function signIn(name, password) {
  return new Promise((resolve) => {
    const user = new cij.CognitoUser({ Username: name, Pool: pool });
    user.authenticateUser(new cij.AuthenticationDetails({ Username: name, Password: password }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: (err) => resolve({ err }),
    });
  });
}

(async () => {
  const cases = [
    ['demo', 'demo', 'Demo-Passw0rd!'],
    ['alias', 'alice@example.com', 'Alice-Passw0rd!'],
    ['wrong-password', 'demo', 'Demo-Passw0rd?'],
    ['unknown-user', 'ghost', 'Whatever-1'],
    ['unconfirmed', 'pending', 'Pending-Passw0rd!'],
  ];
  for (const [label, name, password] of cases) {
    const r = await signIn(name, password);
    if (r.err) {
      console.log(`${label} ERR ${r.err.code}`);
      continue;
    }
    console.log(`${label} OK ${r.session.getIdToken().decodePayload()['cognito:username']}`);
    if (label === 'demo') {
      const refreshed = await new Promise((resolve) =>
        r.user.refreshSession(r.session.getRefreshToken(), (err, s) => resolve(err ? { err } : { s })));
      console.log(refreshed.err ? `refresh ERR ${refreshed.err.code}`
        : `refresh OK ${refreshed.s.getAccessToken().decodePayload().username}`);
    }
  }
})();
