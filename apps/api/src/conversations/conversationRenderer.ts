import { Injectable } from '@nestjs/common';
import {
  DirectoryQueries,
  RecipientSearch,
  type ConversationView,
  type MessageView,
} from '@missive/read-models';
import { AudienceContextsBuilder } from './audienceContexts';
import { conversationJson, type CommonContexts } from './conversationJson';

export interface RenderOptions {
  visible: boolean;
  baseUrl: string;
  messages?: MessageView[];
  forwarded?: ReadonlyMap<string, MessageView>;
}

/**
 * The Conversation JSON of each endpoint with what Canvas's `conversation_json` looks up for
 * it: audience contexts from the viewer's tags, participants' common courses and groups from
 * the viewer's address book (as recipient search gives them), the context's name.
 */
@Injectable()
export class ConversationRenderer {
  constructor(
    private readonly audience: AudienceContextsBuilder,
    private readonly search: RecipientSearch,
    private readonly directory: DirectoryQueries,
  ) {}

  /** update, delete, add_message, add_recipients, remove_messages, a single create. */
  async detail(view: ConversationView, options: RenderOptions) {
    return conversationJson(view, {
      ...options,
      avatars: true,
      audienceContexts: (await this.audience.forViews([view])).get(view.id),
      participantContexts: await this.participantContexts(view),
    });
  }

  /** show: every message given, `submissions`, `context_name`; contexts unless turned off. */
  async show(view: ConversationView, options: RenderOptions & { participantContexts: boolean }) {
    return conversationJson(view, {
      ...options,
      avatars: true,
      audienceContexts: (await this.audience.forViews([view])).get(view.id),
      participantContexts: options.participantContexts
        ? await this.participantContexts(view)
        : undefined,
      contextName: (await this.contextNames([view.contextCode])).get(view.contextCode ?? ''),
      detailed: true,
    });
  }

  /** The contexts each participant shares with the viewer. */
  async participantContexts(view: ConversationView): Promise<Map<string, CommonContexts>> {
    return this.search.commonContexts(
      view.userId,
      view.participants.map((p) => p.id),
    );
  }

  /** `context_name` of each `course_N` / `group_N` code, looked up once per distinct code. */
  async contextNames(codes: readonly (string | null)[]): Promise<Map<string, string | null>> {
    const names = new Map<string, string | null>();
    for (const code of new Set(codes)) {
      const match = /^(course|group)_(\d{1,16})$/.exec(code ?? '');
      if (!match || names.has(code!)) continue;
      const context =
        match[1] === 'course'
          ? await this.directory.course(match[2]!)
          : await this.directory.group(match[2]!);
      names.set(code!, context?.name ?? null);
    }
    return names;
  }
}
