import { QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, useRoutes } from 'react-router';
import { Loading } from '../components/feedback';
import { SignInPage } from '../pages/SignInPage';
import { appRoutes } from './routes';
import { queryClient, useAuth } from './session';

function SignedInApp() {
  return useRoutes(appRoutes);
}

function SessionGate() {
  const auth = useAuth();
  switch (auth.status) {
    case 'loading':
      return (
        <main id="main" className="splash">
          <Loading what="your session" />
        </main>
      );
    case 'signed-out':
      return <SignInPage problem={auth.problem} />;
    case 'signed-in':
      return <SignedInApp />;
  }
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter basename="/dashboard">
        <SessionGate />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
