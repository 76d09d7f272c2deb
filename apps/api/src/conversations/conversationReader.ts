import { Injectable } from '@nestjs/common';
import { DomainError } from '@missive/domain';
import {
  ConversationQueries,
  DirectoryQueries,
  RecipientSearch,
  type ConversationView,
  type MessageView,
} from '@missive/read-models';
import { isCanvasId } from '../http/canvasId';
import { AudienceContextsBuilder, type AudienceContexts } from './audienceContexts';
import type { CommonContexts } from './conversationJson';

/** What a conversation answer shows besides the row: the parts each route asks for. */
export interface ConversationDetail {
  view: ConversationView;
  messages?: MessageView[];
  /** Messages that `messages` forward (included_messages), by id. */
  forwarded?: ReadonlyMap<string, MessageView>;
  audienceContexts?: AudienceContexts;
  /** Each participant's courses and groups in common with the viewer, by participant id. */
  participantContexts?: ReadonlyMap<string, CommonContexts>;
  contextName?: string | null;
}

/** The conversations read model as the use cases read it: one user's rows and what they show. */
@Injectable()
export class ConversationReader {
  constructor(
    readonly conversations: ConversationQueries,
    private readonly audienceContexts: AudienceContextsBuilder,
    private readonly directory: DirectoryQueries,
    private readonly search: RecipientSearch,
  ) {}

  /** This user's row of the conversation; anyone else (or a bad id) is refused as not found. */
  async participantView(userId: string, id: string): Promise<ConversationView> {
    const [view] = isCanvasId(id) ? await this.conversations.findForUser(userId, [id]) : [];
    if (!view) throw new DomainError('not_found', 'id', 'conversation not found');
    return view;
  }

  /**
   * The row with its audience contexts and its participants' common contexts: what the write
   * routes answer.
   */
  async withContexts(view: ConversationView): Promise<ConversationDetail> {
    return {
      view,
      audienceContexts: (await this.audienceContexts.forViews([view])).get(view.id),
      participantContexts: await this.participantContexts(view),
    };
  }

  /** The row, its contexts and these messages with what they forward. */
  async withMessages(view: ConversationView, messageIds: string[]): Promise<ConversationDetail> {
    const messages = await this.conversations.messages(messageIds);
    return {
      ...(await this.withContexts(view)),
      messages,
      forwarded: await this.forwardedOf(messages),
    };
  }

  async contextsOf(views: readonly ConversationView[]): Promise<Map<string, AudienceContexts>> {
    return this.audienceContexts.forViews(views);
  }

  /** The contexts each participant shares with the viewer, from the viewer's address book. */
  async participantContexts(view: ConversationView): Promise<Map<string, CommonContexts>> {
    return this.search.commonContexts(
      view.userId,
      view.participants.map((p) => p.id),
    );
  }

  /** `context_name`: the course's or group's name. */
  async contextNameOf(contextCode: string | null): Promise<string | null> {
    return (await this.contextNames([contextCode])).get(contextCode ?? '') ?? null;
  }

  /** `context_name` of each `course_N` / `group_N` code, looked up once per distinct code. */
  async contextNames(codes: readonly (string | null)[]): Promise<Map<string, string | null>> {
    const names = new Map<string, string | null>();
    for (const code of new Set(codes)) {
      const match = /^(course|group)_(\d+)$/.exec(code ?? '');
      if (!match || !isCanvasId(match[2]) || names.has(code!)) continue;
      const context =
        match[1] === 'course'
          ? await this.directory.course(match[2])
          : await this.directory.group(match[2]);
      names.set(code!, context?.name ?? null);
    }
    return names;
  }

  /** Every message forwarded by these, transitively (bounded), for `forwarded_messages`. */
  async forwardedOf(messages: readonly MessageView[]): Promise<Map<string, MessageView>> {
    const found = new Map<string, MessageView>();
    let wanted = [...new Set(messages.flatMap((m) => m.forwardedMessageIds))];
    for (let depth = 0; depth < 5 && wanted.length > 0; depth++) {
      const batch = await this.conversations.messages(wanted.filter((w) => !found.has(w)));
      for (const m of batch) found.set(m.id, m);
      wanted = [...new Set(batch.flatMap((m) => m.forwardedMessageIds))].filter(
        (w) => !found.has(w),
      );
    }
    return found;
  }
}
