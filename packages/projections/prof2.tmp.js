const { mkdtempSync } = require('fs'); const { join } = require('path'); const os = require('os');
const { SqliteEventStore } = require('@missive/event-store');
const { createDatabase, ProjectionRunner } = require('./dist');
const { conversationsBenchProjection: P } = require('./dist/bench/conversationsBenchProjection');
const { randomUUID } = require('crypto');
(async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'pb-'));
  const store = new SqliteEventStore({ path: join(dir, 'e.db') });
  const ps = []; let mid = 1e6;
  for (let c = 0; c < 2000; c++) { const ev = [{ id: randomUUID(), type: 'ConversationStarted', data: { subject: 's', participantIds: ['1'] } }];
    for (let i = 0; i < 49; i++) ev.push({ id: randomUUID(), type: 'MessageSent', data: { messageId: String(++mid), authorId: '3', body: 'hello '.repeat(15), sentAt: new Date().toISOString() } });
    ps.push(store.append('conversation-' + (1000 + c), ev)); }
  await Promise.all(ps);
  for (const rep of [1, 2, 3]) {
    const db = createDatabase('sqlite:' + join(dir, `r${rep}.db`));
    let tRead = 0n, tApply = 0n;
    const st = { ...Object.fromEntries(['append','readStream','subscribe','headPosition','close'].map(k => [k, store[k].bind(store)])),
      readAll(o) { const it = store.readAll(o); return (async function*(){ const t = process.hrtime.bigint(); const a = []; for await (const e of it) a.push(e); tRead += process.hrtime.bigint() - t; yield* a; })(); } };
    const proj = { ...P, async apply(ev, tx) { const t = process.hrtime.bigint(); await P.apply(ev, tx); tApply += process.hrtime.bigint() - t; } };
    const { sql } = require('kysely'); if (process.env.PRAGMA) for (const p of process.env.PRAGMA.split(';')) await sql.raw('PRAGMA ' + p).execute(db);
    const r = new ProjectionRunner({ store: st, db, projection: proj });
    const t = process.hrtime.bigint(); await r.catchUp(); const total = process.hrtime.bigint() - t;
    console.log({ total: Number(total) / 1e6, read: Number(tRead) / 1e6, apply: Number(tApply) / 1e6 });
    await db.destroy();
  }
  await store.close();
})();
