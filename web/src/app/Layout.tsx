import { Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { Icon } from '../components/icons';
import { Loading } from '../components/feedback';
import { navEntries } from './nav';
import { tokenStore, useUser } from './session';

export function Layout() {
  const user = useUser();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const [signingOut, setSigningOut] = useState(false);

  // After a navigation, move focus to the new page's heading so screen readers announce it and
  // keyboard users start from the top of the content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = mainRef.current?.querySelector<HTMLElement>('[data-page-heading]');
    (heading ?? mainRef.current)?.focus();
  }, [location.pathname]);

  const entries = navEntries.filter((entry) => !entry.adminOnly || user.is_admin);

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Payments</span>
        <span className="whoami" title={user.email}>
          {user.name ?? user.email}
          {user.is_admin && <span className="badge badge-neutral">Admin</span>}
        </span>
        <button
          type="button"
          className="button subtle"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            void tokenStore.signOut();
          }}
        >
          <Icon name="signOut" /> Sign out
        </button>
      </header>
      <div className="shell">
        <nav className="main-nav" aria-label="Main">
          <ul>
            {entries.map((entry) => (
              <li key={entry.to}>
                <NavLink to={entry.to} end={entry.to === '/'}>
                  {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={mainRef} tabIndex={-1}>
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </>
  );
}
