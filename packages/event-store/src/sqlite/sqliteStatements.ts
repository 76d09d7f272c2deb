import type Database from 'better-sqlite3';
import { EVENT_COLUMNS } from './recordedEventFromRow';

/** The statements the store runs on every append and read, prepared once per connection. */
export interface SqliteStatements {
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
  savepoint: Database.Statement;
  release: Database.Statement;
  rollbackToSavepoint: Database.Statement;
  dataVersion: Database.Statement;
  head: Database.Statement;
  insert: Database.Statement;
  eventsFromRevision: Database.Statement;
  firstRevisionOfEventId: Database.Statement;
  readForwards: Database.Statement;
  readBackwards: Database.Statement;
  readAll: Database.Statement;
  maxPosition: Database.Statement;
  hasPosition: Database.Statement;
}

export function prepareStatements(db: Database.Database): SqliteStatements {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT append'),
    release: db.prepare('RELEASE append'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO append'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    head: db.prepare('SELECT max(revision) FROM events WHERE stream_id = ?').pluck(),
    insert: db.prepare(
      'INSERT INTO events (stream_id, revision, event_id, event_key, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    eventsFromRevision: db
      .prepare(
        'SELECT event_id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      )
      .raw(),
    firstRevisionOfEventId: db
      .prepare(
        'SELECT min(revision) FROM events WHERE event_key = ? AND event_id = ? AND stream_id = ?',
      )
      .pluck(),
    readForwards: db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      )
      .raw(),
    readBackwards: db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      )
      .raw(),
    readAll: db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      .raw(),
    maxPosition: db.prepare('SELECT max(position) FROM events').pluck(),
    hasPosition: db.prepare('SELECT 1 FROM events WHERE position = ?').pluck(),
  };
}
