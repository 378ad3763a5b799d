import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { queryRows } from '../../database/sql.js';

/**
 * Payouts on /metrics, read from the database at scrape time so every process (API or worker)
 * reports the same truth: payouts by status and currency, and the amount in flight.
 */
@Injectable()
export class PayoutMetrics {
  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    const read = async (): Promise<
      { status: string; currency: string; n: number; total: string }[]
    > =>
      Promise.race([
        queryRows<{ status: string; currency: string; n: number; total: string }>(
          dataSource.manager,
          `SELECT status, currency, count(*)::int AS n, sum(amount)::text AS total
             FROM payouts GROUP BY status, currency`,
        ),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1_000)),
      ]);
    new Gauge({
      name: 'payouts',
      help: 'Payouts by status (requested = all; succeeded, failed, reversed, rejected, and the open states)',
      labelNames: ['status', 'currency'] as const,
      registers: [metrics.registry],
      aggregator: 'max',
      async collect() {
        this.reset();
        const rows = await read().catch(() => []);
        const requested = new Map<string, number>();
        for (const row of rows) {
          this.set({ status: row.status, currency: row.currency }, row.n);
          requested.set(row.currency, (requested.get(row.currency) ?? 0) + row.n);
        }
        for (const [currency, n] of requested) this.set({ status: 'requested', currency }, n);
      },
    });
    new Gauge({
      name: 'payouts_in_flight_amount',
      help: 'Minor units held for payouts not yet final, by currency',
      labelNames: ['currency'] as const,
      registers: [metrics.registry],
      aggregator: 'max',
      async collect() {
        this.reset();
        const rows = await read().catch(() => []);
        const open = new Set(['pending_approval', 'pending', 'processing', 'requires_otp']);
        const byCurrency = new Map<string, number>();
        for (const row of rows)
          if (open.has(row.status))
            byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) + Number(row.total));
        for (const [currency, amount] of byCurrency) this.set({ currency }, amount);
      },
    });
  }
}
