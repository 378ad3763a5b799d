import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, ValueTransformer } from 'typeorm';
import { Payment } from '../payment.entity.js';

interface ColumnMapping {
  column: string;
  property: string;
  date: boolean;
  transformers: ValueTransformer[];
}

/**
 * Payments read and written with hand-written SQL (the settlement hot path) exactly as TypeORM
 * would load and save the entity: column names, value transformers (money) and which columns are
 * timestamps come from the entity's own metadata, so a column added to the entity needs nothing
 * here. Rows are read as one `to_json(p)` value: node-postgres hands a JSON column over as one
 * JSON.parse, where forty separate columns cost forty field descriptions and parsers per query.
 */
@Injectable()
export class PaymentRows {
  private readonly columns: ColumnMapping[];
  private readonly byProperty: Map<string, ColumnMapping>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.columns = dataSource.getMetadata(Payment).columns.map((column) => ({
      column: column.databaseName,
      property: column.propertyName,
      date: column.type === 'timestamptz' || column.type === 'timestamp with time zone',
      transformers: column.transformer
        ? Array.isArray(column.transformer)
          ? column.transformer
          : [column.transformer]
        : [],
    }));
    this.byProperty = new Map(this.columns.map((mapping) => [mapping.property, mapping]));
  }

  /** The entity from `to_json(payments row)`. */
  fromJson(json: Record<string, unknown>): Payment {
    const payment = new Payment();
    const target = payment as unknown as Record<string, unknown>;
    for (const { column, property, date, transformers } of this.columns) {
      let value = json[column];
      if (value === undefined) throw new Error(`payments row has no column ${column}`);
      if (date && value !== null) value = new Date(value as string);
      for (let i = transformers.length - 1; i >= 0; i--) value = transformers[i].from(value);
      target[property] = value;
    }
    return payment;
  }

  /** The column of an entity property, for SET lists. */
  column(property: string): string {
    return this.mapping(property).column;
  }

  /** A property's value as the database takes it (money as a string). */
  toDatabase(property: string, value: unknown): unknown {
    let result = value;
    for (const transformer of this.mapping(property).transformers) result = transformer.to(result);
    return result;
  }

  private mapping(property: string): ColumnMapping {
    const mapping = this.byProperty.get(property);
    if (!mapping) throw new Error(`payments has no column for property ${property}`);
    return mapping;
  }
}
