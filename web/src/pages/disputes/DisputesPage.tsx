import { PageHeader } from '../../components/layout';
import { DisputeList } from './DisputeList';

export default function DisputesPage() {
  return (
    <>
      <PageHeader
        title="Disputes"
        description="Payments your payers disputed with their bank. The disputed amount is held until the dispute closes: send evidence before the due date, or accept it."
      />
      <DisputeList scope="mine" />
    </>
  );
}
