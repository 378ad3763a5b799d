import { AppError } from '../errors/app-error.js';
import { CursorPart, decodeCursor, encodeCursor } from './cursor.js';

const ID = '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f';
const parts = [CursorPart.timestamp, CursorPart.uuid];

describe('decodeCursor', () => {
  it('gives back a position this API printed', () => {
    const cursor = encodeCursor('2026-12-07T05:47:10.123456Z', ID);
    expect(decodeCursor(cursor, parts)).toEqual(['2026-12-07T05:47:10.123456Z', ID]);
  });

  it.each([
    '1',
    'Tue 1',
    '12/31',
    '2020-02-30T00:00:00.000000Z',
    '2026-12-07T25:00:00.000000Z',
    '2026-12-07T05:47:10Z',
    '2026-12-07T05:47:10.123456+01:00',
    '2026-12-07 05:47:10.123456Z',
  ])(
    'refuses the timestamp %p with 400 VALIDATION_FAILED (PostgreSQL would have refused it: a 500)',
    (stamp) => {
      let thrown: unknown;
      try {
        decodeCursor(encodeCursor(stamp, ID), parts);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );
});
