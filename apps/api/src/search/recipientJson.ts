import type { CommonContexts, RecipientContext, RecipientUser } from '@missive/read-models';

/** A course or group as Canvas's recipient search renders it (no per-context permissions). */
export function contextRecipientJson(context: RecipientContext, baseUrl: string) {
  return {
    id: `${context.kind}_${context.id}`,
    name: context.name,
    avatar_url: `${baseUrl}/images/messages/avatar-group-50.png`,
    type: 'context',
    user_count: context.userCount,
    permissions: {},
    // Missive's groups belong to the account, never to a course, so no parent name exists.
    context_name: null,
  };
}

/** Canvas's `conversation_user_json` with contexts and avatars included. */
export function userRecipientJson(user: RecipientUser, common: CommonContexts, baseUrl: string) {
  return {
    id: Number(user.id),
    name: user.shortName,
    full_name: user.name,
    common_courses: common.courses,
    common_groups: common.groups,
    avatar_url: `${baseUrl}/images/messages/avatar-50.png`,
  };
}
