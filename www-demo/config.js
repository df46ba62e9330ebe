// Demo configuration. scripts/demo.sh serves a generated /config.js instead (pointing at the
// emulator it started); any value can also be overridden with query parameters:
//   /?endpoint=http://127.0.0.1:9229/&userPoolId=us-east-1_EmuPool01&clientId=...&storage=session
//   (also identityPoolId, identityEndpoint, apiUrl; identityEndpoint and apiUrl default to
//   `endpoint` and `{endpoint}_protected/hello` when only `endpoint` is given)
// The library's default endpoint is real AWS Cognito, so the demo always passes `endpoint`.
export default {
  endpoint: 'http://127.0.0.1:9229/',
  userPoolId: 'us-east-1_EmuPool01',
  clientId: '7f3kq2m9emulatorclient0001',
  storage: 'local',
  // Identity pool (AWS credentials + SigV4): the emulator serves it on the same port, and
  // its SigV4-checking "protected API" under /_protected/.
  identityPoolId: 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001',
  identityEndpoint: 'http://127.0.0.1:9229/',
  apiUrl: 'http://127.0.0.1:9229/_protected/hello',
};
