import { Injectable } from '@nestjs/common';
import { DirectoryQueries } from '@missive/read-models';

/**
 * Canvas's message tags, per recipient: the courses and groups the author shares with that
 * recipient, plus the conversation's own context; the author gets all of them. Worked out
 * when the message is written, so replaying the log reproduces them exactly.
 */
@Injectable()
export class ContextTagger {
  constructor(private readonly directory: DirectoryQueries) {}

  async tagsFor(
    authorId: string,
    recipientIds: readonly string[],
    contextCode: string | null | undefined,
  ): Promise<Record<string, string[]>> {
    const others = recipientIds.filter((id) => id !== authorId);
    const shared = await this.directory.sharedContexts(authorId, others);
    const tags: Record<string, string[]> = {};
    const all = new Set<string>(contextCode ? [contextCode] : []);
    for (const id of others) {
      const mine = new Set([...(shared.get(id) ?? []), ...(contextCode ? [contextCode] : [])]);
      if (mine.size > 0) tags[id] = [...mine].sort();
      for (const tag of mine) all.add(tag);
    }
    if (all.size > 0) tags[authorId] = [...all].sort();
    return tags;
  }
}
