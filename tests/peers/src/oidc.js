// Page bundle: oidc-client-ts (a generic OpenID Connect client), exposed on window.
import * as oidc from 'oidc-client-ts';

window.oidc = oidc;
