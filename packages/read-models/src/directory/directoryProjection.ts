import type { CourseEvent, GroupEvent } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import type { Transaction } from 'kysely';
import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { DirectoryDatabase } from './directoryTables';

type Tx = Transaction<DirectoryDatabase>;

async function apply(tx: Tx, e: CourseEvent | GroupEvent): Promise<void> {
  switch (e.type) {
    case 'CourseCreated':
      await tx
        .insertInto('courses')
        .values({
          id: e.data.courseId,
          name: e.data.name,
          course_code: e.data.courseCode,
          workflow_state: e.data.workflowState,
          created_at: e.data.createdAt,
        })
        .execute();
      return;
    case 'UserEnrolled':
      await tx
        .insertInto('enrollments')
        .values({
          id: e.data.enrollmentId,
          course_id: e.data.courseId,
          user_id: e.data.userId,
          type: e.data.type,
          enrollment_state: e.data.enrollmentState,
          created_at: e.data.createdAt,
        })
        .execute();
      return;
    case 'GroupCreated':
      await tx
        .insertInto('groups')
        .values({ id: e.data.groupId, name: e.data.name, created_at: e.data.createdAt })
        .execute();
      return;
    case 'GroupMembershipAdded':
      await tx
        .insertInto('group_memberships')
        .values({
          id: e.data.membershipId,
          group_id: e.data.groupId,
          user_id: e.data.userId,
          created_at: e.data.createdAt,
        })
        .execute();
      return;
  }
}

/** The directory the messageable rule and context names read. */
export const directoryProjection: Projection = {
  name: 'directory',
  version: 1,
  filter: { streamPrefixes: ['course-', 'group-'] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('courses')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('course_code', 'text', (c) => c.notNull())
      .addColumn('workflow_state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('enrollments')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('course_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('enrollment_state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // Both directions of "who shares a course": by user (my courses) and by course (members).
    await db.schema
      .createIndex('enrollments_user_idx')
      .ifNotExists()
      .on('enrollments')
      .columns(['user_id', 'course_id'])
      .execute();
    await db.schema
      .createIndex('enrollments_course_idx')
      .ifNotExists()
      .on('enrollments')
      .columns(['course_id', 'user_id'])
      .execute();
    await db.schema
      .createTable('groups')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('group_memberships')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('group_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('group_memberships_user_idx')
      .ifNotExists()
      .on('group_memberships')
      .columns(['user_id', 'group_id'])
      .execute();
    await db.schema
      .createIndex('group_memberships_group_idx')
      .ifNotExists()
      .on('group_memberships')
      .columns(['group_id', 'user_id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    for (const event of events) {
      await apply(trx as Tx, { type: event.type, data: event.data } as CourseEvent | GroupEvent);
    }
  },
};
