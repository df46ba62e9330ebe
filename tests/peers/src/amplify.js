// Page bundle: aws-amplify v6 as an app would import it, exposed to the tests on window.
import { Amplify } from 'aws-amplify';
import * as auth from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { sessionStorage } from 'aws-amplify/utils';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

window.Amplify = Amplify;
window.auth = auth;
window.Hub = Hub;
window.amplifySessionStorage = sessionStorage;
window.tokenProvider = cognitoUserPoolsTokenProvider;
