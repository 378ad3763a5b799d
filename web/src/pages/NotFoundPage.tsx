import { Link } from 'react-router';
import { PageHeader } from '../components/layout';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no dashboard page at this address. Go to the <Link to="/">overview</Link>.
      </p>
    </>
  );
}
