import { isTransientError } from './isTransientError';

describe('isTransientError', () => {
  it.each([
    [{ code: 'ECONNRESET' }],
    [{ code: 'ECONNREFUSED' }],
    [{ code: 'SQLITE_BUSY' }],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }],
    [{ code: 'SQLITE_IOERR_WRITE' }],
    [{ code: '08006' }],
    [{ code: '40001' }],
    [{ code: '40P01' }],
    [{ code: '57P01' }],
    [{ code: '53300' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('wrapped', { cause: { code: 'ECONNRESET' } })],
  ])('treats %p as transient', (error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    [new TypeError("Cannot read properties of undefined (reading 'id')")],
    [{ code: '23505' }],
    [{ code: '22P02' }],
    [{ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }],
    ['a string'],
    [undefined],
  ])('treats %p as a problem with the event', (error) => {
    expect(isTransientError(error)).toBe(false);
  });
});
