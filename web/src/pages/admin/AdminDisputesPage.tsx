import { PageHeader } from '../../components/layout';
import { DisputeList } from '../disputes/DisputeList';

export default function AdminDisputesPage() {
  return (
    <>
      <PageHeader
        title="All disputes"
        description="Every user’s disputes. Unmatched ones (a payment we do not know) are under Unmatched events."
      />
      <DisputeList scope="all" />
    </>
  );
}
