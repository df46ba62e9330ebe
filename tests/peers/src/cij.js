// Page bundle: amazon-cognito-identity-js as an app would import it, exposed on window.
import * as CIJ from 'amazon-cognito-identity-js';

window.CIJ = CIJ;
