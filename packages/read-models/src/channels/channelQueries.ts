import type { SchemalessDb } from '../schemaless';
import type { Kysely } from 'kysely';
import type { Page } from '../conversations/conversationQueries';
import type { ChannelsDatabase, CommunicationChannelsTable } from './channelsTables';

export interface ChannelRecord {
  id: string;
  userId: string;
  type: string;
  address: string;
  position: number;
  workflowState: string;
  bounceCount: number;
  lastBounceAt: string | null;
  lastBounceSummary: string | null;
  createdAt: string;
}

function toRecord(row: CommunicationChannelsTable): ChannelRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    type: row.type,
    address: row.address,
    position: Number(row.position),
    workflowState: row.workflow_state,
    bounceCount: Number(row.bounce_count),
    lastBounceAt: row.last_bounce_at,
    lastBounceSummary: row.last_bounce_summary ?? null,
    createdAt: row.created_at,
  };
}

export class ChannelQueries {
  private readonly db: Kysely<ChannelsDatabase>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<ChannelsDatabase>;
  }

  private unretired(userId: string) {
    return this.db
      .selectFrom('communication_channels')
      .where('user_id', '=', userId)
      .where('workflow_state', '!=', 'retired');
  }

  /** One page of the user's unretired channels by position, plus the total for `last`. */
  async listForUser(
    userId: string,
    { limit, offset }: { limit: number; offset: number },
  ): Promise<Page<ChannelRecord>> {
    const [rows, total] = await Promise.all([
      this.unretired(userId)
        .selectAll()
        .orderBy('position')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.countUnretired(userId),
    ]);
    return { items: rows.map(toRecord), total };
  }

  async countUnretired(userId: string): Promise<number> {
    const row = await this.unretired(userId)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The next position at the end of the user's list; retired channels keep theirs. */
  async nextPosition(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('communication_channels')
      .where('user_id', '=', userId)
      .select((eb) => eb.fn.max<number | string | null>('position').as('p'))
      .executeTakeFirst();
    return Number(row?.p ?? 0) + 1;
  }

  async findById(id: string): Promise<ChannelRecord | undefined> {
    const row = await this.db
      .selectFrom('communication_channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** The user's channel with this type and address (any case), unretired ones first. */
  async findByAddress(
    userId: string,
    type: string,
    address: string,
  ): Promise<ChannelRecord | undefined> {
    const rows = await this.db
      .selectFrom('communication_channels')
      .selectAll()
      .where('user_id', '=', userId)
      .where('type', '=', type)
      .where('address_key', '=', address.trim().toLowerCase())
      .orderBy('id')
      .execute();
    const records = rows.map(toRecord);
    return records.find((r) => r.workflowState !== 'retired') ?? records[0];
  }
}
