import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { SESSION_ROUTES } from '../auth/session-contract';
import type { SignInProblem } from '../auth/token-store';

/** Shown whenever there is no session, whatever the address. */
export function SignInPage({ problem }: { problem: SignInProblem | null }) {
  const [params] = useSearchParams();
  // The server's Google callback sends the person back here with ?error=… when it refused.
  // Only a short code is shown: free text in a link could be used to mislead.
  const rawError = params.get('error');
  const googleError =
    rawError && /^[a-z_]{1,40}$/.test(rawError) ? rawError : rawError ? 'error' : null;

  useEffect(() => {
    document.title = 'Sign in · Payments dashboard';
  }, []);

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to the payments dashboard</h1>
      {problem && (
        <div className="notice notice-error" role="alert">
          <p>{problem.message}</p>
          {problem.requestId && (
            <p className="muted small">
              request id <code>{problem.requestId}</code>
            </p>
          )}
        </div>
      )}
      {!problem && googleError && (
        <div className="notice notice-error" role="alert">
          <p>Google sign-in did not finish ({googleError}). Try again.</p>
        </div>
      )}
      <p>
        <a className="button primary large" href={SESSION_ROUTES.google}>
          Sign in with Google
        </a>
      </p>
      <section className="card">
        <h2>Signing in with a link</h2>
        <p>
          Where Google sign-in is not set up, someone with access to the server can make you a
          one-time link:
        </p>
        <pre className="code-block">npm run cli -- dashboard:link --email you@example.com</pre>
        <p className="muted">
          Open the link it prints in this browser. It works once, for 10 minutes.
        </p>
      </section>
    </main>
  );
}
