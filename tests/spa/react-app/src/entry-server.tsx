// Server rendering: no client on the server, so the provider renders 'loading' and never
// reaches the wasm or `window`.
import { renderToString } from 'react-dom/server';
import { CognitoProvider } from 'cognito-wasm/react';
import { App } from './App';

export function render(): string {
  return renderToString(<CognitoProvider><App /></CognitoProvider>);
}
