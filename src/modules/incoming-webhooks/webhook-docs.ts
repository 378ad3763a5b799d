import type { OpenAPIObject } from '@nestjs/swagger';
import type { GatewayName } from '../gateways/gateway.interface.js';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['post']>;

/** The one route that serves every gateway at runtime, as Nest documents it. */
const GENERIC_PATH = '/api/v1/webhooks/{gateway}';

interface SignatureHeader {
  name: string;
  description: string;
  example: string;
  required: boolean;
}

interface GatewayWebhookDoc {
  gateway: GatewayName;
  summary: string;
  description: string;
  headers: SignatureHeader[];
  /** A body the gateway sends (trimmed to what processing reads). */
  example: Record<string, unknown>;
}

const COMMON =
  'Verified on the raw bytes before anything else (401 INVALID_SIGNATURE otherwise, nothing stored); the event ' +
  'is stored before the 200 and processed by a job that asks the gateway for the truth; duplicates are 200 ' +
  'and do nothing more.';

/**
 * What each gateway sends to its own route: its signature headers and an example body. Runtime
 * is one route (`/webhooks/:gateway`, served by the lean path and the controller alike); only the
 * OpenAPI document shows the five.
 */
export const GATEWAY_WEBHOOK_DOCS: readonly GatewayWebhookDoc[] = [
  {
    gateway: 'paystack',
    summary: 'Receive a Paystack webhook',
    description: `Paystack events (charge.success, refund.*). ${COMMON}`,
    headers: [
      {
        name: 'x-paystack-signature',
        required: true,
        description: 'Hex HMAC-SHA512 of the raw body with PAYSTACK_SECRET_KEY',
        example: '5f3c…e21a (128 hex characters)',
      },
    ],
    example: {
      event: 'charge.success',
      data: {
        id: 302961,
        status: 'success',
        reference: 'PAY-20260122123456-AB12CD34',
        amount: 500000,
        currency: 'NGN',
        paid_at: '2026-01-22T12:35:10.000Z',
      },
    },
  },
  {
    gateway: 'flutterwave',
    summary: 'Receive a Flutterwave webhook',
    description: `Flutterwave charge.completed (success and failure, from data.status). ${COMMON}`,
    headers: [
      {
        name: 'verif-hash',
        required: true,
        description: 'The secret hash set in the Flutterwave dashboard (FLUTTERWAVE_WEBHOOK_HASH)',
        example: 'my-flutterwave-secret-hash',
      },
      {
        name: 'flutterwave-signature',
        required: false,
        description:
          'Base64 HMAC-SHA256 of the raw body with FLUTTERWAVE_WEBHOOK_HASH; checked when present',
        example: 'u0J2qZ0p3x…=',
      },
    ],
    example: {
      event: 'charge.completed',
      'event.type': 'CARD_TRANSACTION',
      data: {
        id: 285959875,
        tx_ref: 'PAY-20260122123456-AB12CD34',
        flw_ref: 'FLW-MOCK-2a9d0e1b',
        amount: 5000,
        charged_amount: 5000,
        currency: 'NGN',
        status: 'successful',
        created_at: '2026-01-22T12:35:10.000Z',
      },
    },
  },
  {
    gateway: 'stripe',
    summary: 'Receive a Stripe webhook',
    description: `Stripe Checkout, PaymentIntent, Charge and Refund events. ${COMMON}`,
    headers: [
      {
        name: 'Stripe-Signature',
        required: true,
        description:
          "Stripe's scheme with STRIPE_WEBHOOK_SECRET: t=<unix time>,v1=<hex HMAC-SHA256 of 't.body'>; 300 s tolerance",
        example: 't=1769085310,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      },
    ],
    example: {
      id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
      object: 'event',
      type: 'checkout.session.completed',
      created: 1769085310,
      data: {
        object: {
          id: 'cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u',
          object: 'checkout.session',
          client_reference_id: 'PAY-20260122123456-AB12CD34',
          amount_total: 5000,
          currency: 'usd',
          payment_status: 'paid',
          status: 'complete',
          payment_intent: 'pi_3NG8Du2eZvKYlo2C0lvMd1Sn',
        },
      },
    },
  },
  {
    gateway: 'paypal',
    summary: 'Receive a PayPal webhook',
    description:
      'PayPal CHECKOUT.ORDER.APPROVED and PAYMENT.CAPTURE.* events, verified through PayPal’s ' +
      'verify-webhook-signature API with PAYPAL_WEBHOOK_ID (503 and nothing stored while that API is ' +
      `unreachable). ${COMMON}`,
    headers: [
      {
        name: 'paypal-transmission-id',
        required: true,
        description: 'Transmission id',
        example: '69cd13f0-d67a-11e5-baa3-778b53f4ae55',
      },
      {
        name: 'paypal-transmission-time',
        required: true,
        description: 'Transmission time',
        example: '2026-01-22T12:35:10Z',
      },
      {
        name: 'paypal-transmission-sig',
        required: true,
        description: 'Signature PayPal verifies',
        example:
          'lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3boXB07VXCXUZy/UFzUlnGJn0wDugt7FlSvdKeIJenLRemUxYCPVoEZzg9VFNqOa48gMkvF+XTpxBeUx/kWy6B5cp7GkT2+pOowfRK7OaynuxUoKW3JcMWw272VKjLTtTAShncla7tGF+55rxyt2KNZIIqxNMJ48RDZheGU5w1npu9dZHnPgTXB9iomeVRoD8O/jhRpnKsGrDschyNdkeh81BJJMH4Ctc6lnCCquoP/GzCzz33MMsNdid7vL/NIWaCsekQpW26FpWPi/tfj8nLA==',
      },
      {
        name: 'paypal-cert-url',
        required: true,
        description: 'Certificate PayPal signed with',
        example:
          'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270',
      },
      {
        name: 'paypal-auth-algo',
        required: true,
        description: 'Signature algorithm',
        example: 'SHA256withRSA',
      },
    ],
    example: {
      id: 'WH-652880104N329422Y-06P85183JY752714D',
      event_version: '1.0',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      resource_type: 'capture',
      resource: {
        id: '2GG279541U471931P',
        status: 'COMPLETED',
        amount: { currency_code: 'USD', value: '50.00' },
        custom_id: 'PAY-20260122123456-AB12CD34',
        invoice_id: 'PAY-20260122123456-AB12CD34',
      },
    },
  },
  {
    gateway: 'generic',
    summary: 'Receive a generic (Standard Webhooks) gateway webhook',
    description:
      'Any gateway that signs per Standard Webhooks with GENERIC_WEBHOOK_SECRET. `transaction_id` is our payment ' +
      "reference, `payment_id` the gateway's own id, `amount` in minor units; the signed event is its own truth. " +
      COMMON,
    headers: [
      {
        name: 'webhook-id',
        required: true,
        description: 'Unique message id (the event id)',
        example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      },
      {
        name: 'webhook-timestamp',
        required: true,
        description: 'Unix seconds of the attempt (5 minutes tolerance)',
        example: '1769085310',
      },
      {
        name: 'webhook-signature',
        required: true,
        description: 'v1,<base64 HMAC-SHA256 of "id.timestamp.body">, space-separated if several',
        example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
      },
    ],
    example: {
      transaction_id: 'PAY-20260122123456-AB12CD34',
      payment_id: 'gw_7f3a9c',
      status: 'completed',
      amount: 500000,
      currency: 'NGN',
      metadata: { order: '1001' },
    },
  },
  {
    gateway: 'test',
    summary: 'Receive a test gateway event (TEST_MODE only)',
    description:
      'The built-in test gateway signs its events per Standard Webhooks with a per-install secret and hands them to ' +
      'this intake itself; processing asks the test gateway (its own record) for the truth. ' +
      COMMON,
    headers: [
      {
        name: 'webhook-id',
        required: true,
        description: 'The event id',
        example: 'evt_test_PAY-20260122123456-AB12CD34_succeeded',
      },
      {
        name: 'webhook-timestamp',
        required: true,
        description: 'Unix seconds of the attempt (5 minutes tolerance)',
        example: '1769085310',
      },
      {
        name: 'webhook-signature',
        required: true,
        description: 'v1,<base64 HMAC-SHA256 of "id.timestamp.body">',
        example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
      },
    ],
    example: {
      id: 'evt_test_PAY-20260122123456-AB12CD34_succeeded',
      type: 'charge.succeeded',
      data: {
        reference: 'PAY-20260122123456-AB12CD34',
        status: 'succeeded',
        amount: 500000,
        currency: 'NGN',
      },
    },
  },
];

/**
 * Replaces the one `/webhooks/{gateway}` operation Nest documents (a free-text parameter) with
 * one operation per gateway, each with its own signature headers and example body. The answers
 * documented for the route (200, 400, 401, 422, 503) are kept; 404 (an unknown gateway) does not
 * apply to a named one.
 */
export function documentGatewayWebhooks(document: OpenAPIObject): void {
  const template = document.paths[GENERIC_PATH]?.post;
  if (template === undefined) throw new Error(`the OpenAPI document has no POST ${GENERIC_PATH}`);
  delete document.paths[GENERIC_PATH];
  const responses = { ...template.responses };
  delete responses['404'];
  for (const doc of GATEWAY_WEBHOOK_DOCS) {
    const parameters: OperationObject['parameters'] = doc.headers.map((header) => ({
      name: header.name,
      in: 'header' as const,
      required: header.required,
      description: header.description,
      schema: { type: 'string' },
      example: header.example,
    }));
    const operation: OperationObject = {
      ...template,
      operationId: `WebhookIntake_receive_${doc.gateway}`,
      summary: doc.summary,
      description: doc.description,
      parameters,
      requestBody: {
        required: true,
        description: 'The raw JSON body as the gateway sends it; verified byte for byte',
        content: { 'application/json': { schema: { type: 'object' }, example: doc.example } },
      },
      responses,
    };
    document.paths[`/api/v1/webhooks/${doc.gateway}`] = { post: operation };
  }
}
