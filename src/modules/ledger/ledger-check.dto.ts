import { ApiProperty } from '@nestjs/swagger';

export class LedgerProblemDto {
  @ApiProperty({
    description: 'The invariant that does not hold',
    example: 'balance_equals_entries',
  })
  check: string;

  @ApiProperty({
    description: 'What is wrong',
    example: 'account 4929215640015 has balance 100 but its entries sum to 90 …',
  })
  message: string;

  @ApiProperty({ description: 'The rows at fault', example: { id: '…', balance: '100' } })
  subject: Record<string, string | number | null>;
}

export class LedgerTotalsDto {
  @ApiProperty({ example: 'NGN' }) currency: string;
  @ApiProperty({
    description: 'Sum of all wallet balances (minor units, as a string)',
    example: '1250000',
  })
  user_balances: string;
  @ApiProperty({ description: 'Sum of all system (clearing) balances', example: '-1250000' })
  system_balances: string;
  @ApiProperty({ description: 'Total credited by deposits', example: '1500000' }) deposits: string;
  @ApiProperty({ description: 'Total debited by deposit refunds', example: '250000' })
  refunds: string;
  @ApiProperty({ description: 'Total given back by failed refunds', example: '0' })
  refund_reversals: string;
  @ApiProperty({
    description: 'Total taken out of wallets by withdrawals (payout holds)',
    example: '0',
  })
  withdrawals: string;
  @ApiProperty({
    description: 'Total given back by failed, rejected or reversed payouts',
    example: '0',
  })
  withdrawal_reversals: string;
  @ApiProperty({
    description: 'Money held for payouts not yet final (the payouts_in_flight account)',
    example: '0',
  })
  payouts_in_flight: string;
  @ApiProperty({
    description:
      'Net moved into wallets by disputes: releases minus holds and receivable collections (SPEC §17)',
    example: '-5000',
  })
  disputes: string;
}

export class LedgerCheckReportDto {
  @ApiProperty({ description: 'True when no invariant is broken', example: true }) ok: boolean;
  @ApiProperty({ example: '2026-01-22T12:34:56.000Z' }) checked_at: string;
  @ApiProperty({ example: 1001 }) accounts: number;
  @ApiProperty({ example: 5000 }) transfers: number;
  @ApiProperty({ example: 10000 }) entries: number;
  @ApiProperty({ type: [LedgerTotalsDto] }) totals: LedgerTotalsDto[];
  @ApiProperty({ type: [LedgerProblemDto], description: 'Empty when ok' })
  problems: LedgerProblemDto[];
}
