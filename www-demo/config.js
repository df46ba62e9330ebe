// Demo configuration. scripts/demo.sh serves a generated /config.js instead (pointing at the
// emulator it started); any value can also be overridden with query parameters:
//   /?endpoint=http://127.0.0.1:9229/&userPoolId=us-east-1_EmuPool01&clientId=...&storage=session
// The library's default endpoint is real AWS Cognito, so the demo always passes `endpoint`.
export default {
  endpoint: 'http://127.0.0.1:9229/',
  userPoolId: 'us-east-1_EmuPool01',
  clientId: '7f3kq2m9emulatorclient0001',
  storage: 'local',
};
