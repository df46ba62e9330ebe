// The whole UI reads useAuth() only: status, user and session come from the provider.
import { useState, type FormEvent } from 'react';
import { useAuth } from 'cognito-wasm/react';

export function App() {
  const { status, user, session, signIn, signOut } = useAuth();
  const [error, setError] = useState('');
  const submit = (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    const data = new FormData(ev.currentTarget);
    setError('');
    signIn({ username: String(data.get('username')), password: String(data.get('password')) })
      .then((r) => { if (r.type !== 'signedIn') setError(`challenge ${r.name}`); })
      .catch((e: { code?: string; message: string }) => setError(`${e.code}: ${e.message}`));
  };
  return (
    <main data-status={status}>
      <p>Status: <output id="status">{status}</output></p>
      {status === 'signedOut' && (
        <form onSubmit={submit}>
          <label>Username <input name="username" autoComplete="username" /></label>
          <label>Password <input name="password" type="password" autoComplete="current-password" /></label>
          <button type="submit">Sign in</button>
        </form>
      )}
      {status === 'signedIn' && (
        <>
          <p>Signed in as: <output id="user">{user?.username}</output> (<output id="email">{String(user?.claims.email ?? '')}</output>)</p>
          <p>Expires at: <output id="expires">{session?.expiresAt}</output></p>
          <button type="button" onClick={() => { void signOut(); }}>Sign out</button>
        </>
      )}
      <p role="alert" id="error">{error}</p>
    </main>
  );
}
