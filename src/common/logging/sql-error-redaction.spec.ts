import { REDACTED } from './redaction.js';
import { redactSqlError } from './sql-error-redaction.js';

const SECRET = 'whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw==';

/** Shaped like node-postgres' DatabaseError: a message, the server's fields, a stack. */
function pgError(message: string, fields: Record<string, string> = {}): Error {
  const error = Object.assign(new Error(message), { name: 'error', code: '22P02' }, fields);
  return error;
}

describe('redactSqlError', () => {
  it('takes a parameter out of the message and the head of the stack, keeping the frames', () => {
    const error = pgError(`invalid input syntax for type uuid: "${SECRET}"`);
    const frames = error.stack?.split('\n').slice(1).join('\n');
    redactSqlError(error, ['a1b2', SECRET]);
    expect(error.message).toBe(`invalid input syntax for type uuid: "${REDACTED}"`);
    expect(error.stack).not.toContain(SECRET);
    expect(error.stack?.split('\n').slice(1).join('\n')).toBe(frames);
  });

  it('takes out values PostgreSQL quotes itself: a key, a failing row, a JSON fragment, a bind parameter', () => {
    const error = pgError('duplicate key value violates unique constraint "app_secrets_pkey"', {
      detail: `Key (name)=(${SECRET}) already exists.`,
      where: `JSON data, line 1: {"token": "${SECRET.slice(0, 12)}...`,
    });
    redactSqlError(error, []);
    expect(error.message).toBe('duplicate key value violates unique constraint "app_secrets_pkey"');
    expect((error as unknown as { detail: string }).detail).toBe(
      `Key (name)=(${REDACTED}) already exists.`,
    );
    expect((error as unknown as { where: string }).where).toBe(`JSON data, line 1: ${REDACTED}`);
    expect(JSON.stringify(error)).not.toContain(SECRET.slice(0, 12));

    const row = pgError('new row for relation "x" violates check constraint "x_check"', {
      detail: `Failing row contains (1, ${SECRET}, 2026-01-01).`,
    });
    redactSqlError(row, []);
    expect((row as unknown as { detail: string }).detail).toBe(
      `Failing row contains (${REDACTED}).`,
    );

    const bind = pgError('invalid input syntax for type integer', {
      where: `unnamed portal parameter $1 = '${SECRET.slice(0, 10)}'`,
    });
    redactSqlError(bind, []);
    expect((bind as unknown as { where: string }).where).toBe(
      `unnamed portal parameter $1 = '${REDACTED}'`,
    );
  });

  it('finds values inside array and JSON parameters, and in the wrapped driver error', () => {
    const driverError = pgError(`invalid input syntax for type uuid: "${SECRET}"`);
    const wrapped = Object.assign(new Error(driverError.message), {
      driverError,
      parameters: [[`ok-${SECRET}-ok`, 'x'], JSON.stringify({ nested: { value: SECRET } })],
      query: 'SELECT $1::uuid[], $2::jsonb',
    });
    redactSqlError(wrapped, wrapped.parameters);
    const everything = [
      JSON.stringify(wrapped),
      JSON.stringify(driverError),
      wrapped.message,
      wrapped.stack,
      driverError.message,
      driverError.stack,
    ].join('\n');
    expect(everything).not.toContain(SECRET);
    expect(driverError.message).not.toContain(SECRET);
    expect(wrapped.parameters).toEqual([]);
    expect(wrapped.query).toBe('SELECT $1::uuid[], $2::jsonb');
  });

  it('leaves identifiers, codes and messages without values alone', () => {
    const error = pgError('relation "webhook_endpoints" does not exist', { code: '42P01' });
    redactSqlError(error, ['abc']);
    expect(error.message).toBe('relation "webhook_endpoints" does not exist');
    expect((error as unknown as { code: string }).code).toBe('42P01');
  });
});
