import { workerExecArgv } from './workerExecArgv';

describe('workerExecArgv', () => {
  it("keeps the primary's options and adds a 32 MB young generation", () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=32',
    ]);
  });

  it("leaves the operator's own choice alone, on the command line or in NODE_OPTIONS", () => {
    expect(workerExecArgv(['--max-semi-space-size=8'])).toEqual(['--max-semi-space-size=8']);
    expect(workerExecArgv([], '--max-old-space-size=512 --max-semi-space-size=64')).toEqual([]);
  });
});
