export const PERMISSIONS = [
  'deposit',
  'transfer',
  'read',
  'payments',
  'refunds',
  'webhooks',
  'payouts',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who is calling: a person with a JWT, or a service with an API key of that person's. */
export interface Principal {
  userId: string;
  email: string;
  /** A publishable key reaches only routes marked @AllowPublishableKey() (checkout sessions). */
  via: 'jwt' | 'api_key' | 'publishable_key';
  /** A JWT may do everything its user may; an API key only what it carries. */
  permissions: readonly Permission[];
  apiKeyId?: string;
  /** Refresh-token family the access token belongs to (JWT only). */
  familyId?: string;
  isAdmin: boolean;
}
