// cognito-wasm/react: <CognitoProvider auth={…}> and useAuth(). It only mirrors a CognitoAuth's
// state (currentSession() once, then onAuthStateChange, which also carries other tabs'
// sign-ins, sign-outs and refreshes). It never loads the wasm nor touches `window`: on the
// server (no `auth`) it renders `status: 'loading'`.
import { createContext, createElement, useContext, useEffect, useMemo, useState } from 'react';

const Ctx = createContext(null);
const LOADING = { status: 'loading', session: null, error: null };
const of = (session, error = null) => (session ? { status: 'signedIn', session, error } : { status: 'signedOut', session: null, error });

export function CognitoProvider({ auth, children }) {
  const [state, set] = useState(LOADING);
  useEffect(() => {
    set(LOADING);
    if (!auth) return;
    let heard = false, live = true;
    const off = auth.onAuthStateChange((e) => {
      if (e.type === 'storageFallback') return;
      heard = true;
      set(of(e.session, e.error));
    });
    auth.currentSession().then(
      (s) => { if (live && !heard) set(of(s)); },
      (error) => { if (live && !heard) set({ ...LOADING, error }); },
    );
    return () => { live = false; off(); };
  }, [auth]);
  const value = useMemo(() => {
    const call = (m) => (i) => (auth ? auth[m](i) : Promise.reject(new Error('cognito-wasm/react: <CognitoProvider> has no auth yet')));
    const s = state.session;
    return {
      ...state,
      auth: auth || null,
      user: s ? { username: s.username, claims: s.idTokenClaims } : null,
      signIn: call('signIn'),
      respondToChallenge: call('respondToChallenge'),
      signOut: call('signOut'),
    };
  }, [auth, state]);
  return createElement(Ctx.Provider, { value }, children);
}

export function useAuth() {
  const v = useContext(Ctx);
  if (!v) throw new Error('cognito-wasm/react: useAuth() needs a <CognitoProvider> above it');
  return v;
}
