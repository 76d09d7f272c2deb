import { Injectable } from '@nestjs/common';
import type { ConversationView, MessageView } from '@missive/read-models';
import { conversationJson } from './conversationJson';
import { ConversationReader } from './conversationReader';

export interface RenderOptions {
  visible: boolean;
  baseUrl: string;
  messages?: MessageView[];
  forwarded?: ReadonlyMap<string, MessageView>;
}

/**
 * Show's Conversation JSON for a view that is not the read model's (the audit's past view),
 * with what Canvas's `conversation_json` looks up for it: audience contexts from the viewer's
 * tags, participants' common courses and groups from the viewer's address book, the
 * context's name.
 */
@Injectable()
export class ConversationRenderer {
  constructor(private readonly reader: ConversationReader) {}

  /** show: every message given, `submissions`, `context_name`; contexts unless turned off. */
  async show(view: ConversationView, options: RenderOptions & { participantContexts: boolean }) {
    return conversationJson(view, {
      ...options,
      avatars: true,
      audienceContexts: (await this.reader.contextsOf([view])).get(view.id),
      participantContexts: options.participantContexts
        ? await this.reader.participantContexts(view)
        : undefined,
      contextName: await this.reader.contextNameOf(view.contextCode),
      detailed: true,
    });
  }
}
