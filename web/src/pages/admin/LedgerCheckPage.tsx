import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Amount, DateTime } from '../../components/format';
import { ErrorNotice, StatusMessage } from '../../components/feedback';
import { PageHeader, Section, TableScroll } from '../../components/layout';

export default function LedgerCheckPage() {
  // It reads the whole ledger: run when asked, never on page load.
  const check = useQuery({
    queryKey: queryKeys.ledgerCheck(),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/admin/ledger/check', { signal })),
    enabled: false,
    staleTime: Infinity,
  });
  const report = check.data;

  return (
    <>
      <PageHeader
        title="Ledger check"
        description="Verifies every ledger invariant over the whole database: each transfer sums to zero, each balance equals its entries, no wallet is negative. Drift is listed, never fixed."
      />
      <p>
        <button
          type="button"
          className="button primary"
          disabled={check.isFetching}
          onClick={() => void check.refetch()}
        >
          {check.isFetching ? 'Checking…' : report ? 'Check again' : 'Run the check'}
        </button>
      </p>
      <StatusMessage>
        {report &&
          (report.ok ? 'The ledger is consistent.' : `${report.problems.length} problem(s) found.`)}
      </StatusMessage>
      {check.error && <ErrorNotice error={check.error} title="The check did not run." />}
      {report && (
        <div className="stack-lg">
          <p className="muted">
            Checked <DateTime iso={report.checked_at} />: {report.accounts} accounts,{' '}
            {report.transfers} transfers, {report.entries} entries.
          </p>
          {report.problems.length > 0 && (
            <Section title="Problems" id="problems">
              <ul className="plain-list stack">
                {report.problems.map((problem, index) => (
                  <li key={index} className="notice notice-error">
                    <p>
                      <strong>{problem.check}</strong>: {problem.message}
                    </p>
                    <pre className="code-block">{JSON.stringify(problem.subject, null, 2)}</pre>
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <Section title="Totals by currency" id="totals">
            <TableScroll label="Ledger totals">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Currency</th>
                    <th scope="col" className="num">
                      User balances
                    </th>
                    <th scope="col" className="num">
                      System balances
                    </th>
                    <th scope="col" className="num">
                      Deposits
                    </th>
                    <th scope="col" className="num">
                      Refunds
                    </th>
                    <th scope="col" className="num">
                      Refund reversals
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.totals.map((totals) => (
                    <tr key={totals.currency}>
                      <td>{totals.currency}</td>
                      <td className="num">
                        <Amount minor={totals.user_balances} currency={totals.currency} />
                      </td>
                      <td className="num">
                        <Amount minor={totals.system_balances} currency={totals.currency} />
                      </td>
                      <td className="num">
                        <Amount minor={totals.deposits} currency={totals.currency} />
                      </td>
                      <td className="num">
                        <Amount minor={totals.refunds} currency={totals.currency} />
                      </td>
                      <td className="num">
                        <Amount minor={totals.refund_reversals} currency={totals.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </Section>
        </div>
      )}
    </>
  );
}
