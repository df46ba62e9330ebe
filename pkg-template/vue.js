// cognito-wasm/vue: app.use(createCognito(auth)) and useAuth(). It only mirrors a CognitoAuth's
// state (currentSession() once, then onAuthStateChange, which also carries other tabs'
// sign-ins, sign-outs and refreshes). It never loads the wasm nor touches `window`: on the
// server (no `auth`) it renders `status: 'loading'`. `auth` may be a ref, set once init() ran.
import { inject, readonly, shallowRef, unref, watch } from 'vue';

const KEY = Symbol('cognito-wasm');

export function createCognito(auth) {
  const r = { status: shallowRef('loading'), session: shallowRef(null), user: shallowRef(null), error: shallowRef(null), auth: shallowRef(null) };
  const set = (status, session, error = null) => {
    r.status.value = status;
    r.session.value = session;
    r.user.value = session ? { username: session.username, claims: session.idTokenClaims } : null;
    r.error.value = error;
  };
  const of = (s, error) => set(s ? 'signedIn' : 'signedOut', s || null, error);
  const call = (m) => (i) => (r.auth.value ? r.auth.value[m](i) : Promise.reject(new Error('cognito-wasm/vue: createCognito() has no auth yet')));
  const api = {
    status: readonly(r.status), session: readonly(r.session), user: readonly(r.user), error: readonly(r.error), auth: readonly(r.auth),
    signIn: call('signIn'), respondToChallenge: call('respondToChallenge'), signOut: call('signOut'),
  };
  return {
    install(app) {
      app.provide(KEY, api);
      const stop = watch(() => unref(auth), (a, _, onCleanup) => {
        set('loading', null);
        r.auth.value = a || null;
        if (!a) return;
        let heard = false, live = true;
        const off = a.onAuthStateChange((e) => {
          if (e.type === 'storageFallback') return;
          heard = true;
          of(e.session, e.error);
        });
        a.currentSession().then((s) => { if (live && !heard) of(s); }, (e) => { if (live && !heard) set('loading', null, e); });
        onCleanup(() => { live = false; off(); });
      }, { immediate: true });
      app.onUnmount?.(stop);
    },
  };
}

export function useAuth() {
  const v = inject(KEY, null);
  if (!v) throw new Error('cognito-wasm/vue: useAuth() needs app.use(createCognito(auth))');
  return v;
}
