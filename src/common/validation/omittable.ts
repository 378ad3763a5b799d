import { ValidateIf } from 'class-validator';

/**
 * Like class-validator's IsOptional, but only for a field left out: an explicit `null` is
 * validated like every other value, so it is refused (400) unless the field's validators allow it.
 * With IsOptional, `{"order_id": null}` or `{"amount": null}` passed validation and reached code
 * that only checks `=== undefined` (a 500, or a refund of everything left for `amount: null`).
 * Fields where null means something (a note null clears) keep IsOptional.
 */
export const IsOmittable = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
