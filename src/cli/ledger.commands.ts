import { LedgerCheckService } from '../modules/ledger/ledger-check.service.js';
import type { CliCommand } from './cli-command.js';

export const ledgerCheckCommand: CliCommand = {
  name: 'ledger:check',
  description:
    'Verify every ledger invariant over the whole database; exit code 1 when anything drifted',
  usage: 'ledger:check [--json]',
  async run(context) {
    const app = await context.app();
    const report = await app.get(LedgerCheckService).run();
    if (context.options.json === true) {
      context.print(JSON.stringify(report, null, 2));
      return report.ok ? 0 : 1;
    }
    context.print(
      `ledger check at ${report.checked_at}: ${report.accounts} accounts, ${report.transfers} transfers, ${report.entries} entries`,
    );
    for (const total of report.totals) {
      context.print(
        `  ${total.currency}: wallets hold ${total.user_balances} = deposits ${total.deposits} - refunds ${total.refunds} + reversals ${total.refund_reversals} - withdrawals ${total.withdrawals} + withdrawal reversals ${total.withdrawal_reversals}; system accounts ${total.system_balances}; payouts in flight ${total.payouts_in_flight}`,
      );
    }
    if (report.ok) {
      context.print('OK: no drift');
      return 0;
    }
    context.print(`DRIFT: ${report.problems.length} problem(s)`);
    for (const problem of report.problems) context.print(`  [${problem.check}] ${problem.message}`);
    return 1;
  },
};
