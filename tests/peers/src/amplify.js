// Page bundle: aws-amplify v6 as an app would import it, exposed to the tests on window.
import { Amplify } from 'aws-amplify';
import * as auth from 'aws-amplify/auth';
// Multi-page apps import this so that a page loaded with ?code=… completes signInWithRedirect.
import 'aws-amplify/auth/enable-oauth-listener';
import { Hub } from 'aws-amplify/utils';

window.Amplify = Amplify;
window.auth = auth;
// Every 'auth' Hub event, for the tests to wait on (e.g. signInWithRedirect after a callback).
window.authEvents = [];
Hub.listen('auth', ({ payload }) => {
  window.authEvents.push({ event: payload.event, message: payload.data?.message ?? payload.message ?? null });
});
// A config set before load (context.addInitScript) applies at once, as an app's would.
if (window.peerAmplifyConfig) Amplify.configure(window.peerAmplifyConfig);
