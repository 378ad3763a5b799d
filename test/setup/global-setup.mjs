// Once per `jest` run: names the template database the integration and e2e tests clone their
// databases from (test/setup/template-database.ts builds it on first use). Plain JavaScript:
// jest loads this file outside its module registry, where the TypeScript sources cannot be read.
import { randomBytes } from 'node:crypto';

export default function globalSetup() {
  process.env.TEST_TEMPLATE_DATABASE = `payments_tmpl_${process.pid}_${randomBytes(4).toString('hex')}`;
}
