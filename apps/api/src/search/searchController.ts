import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  RecipientSearch,
  type RecipientContext,
  type RecipientScope,
  type RecipientUser,
  UserQueries,
  type UserRecord,
} from '@missive/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser } from '../auth/currentUser';
import { CanvasError } from '../http/canvasError';
import { clampPerPage } from '../http/canvasPagination';
import { canvasValidationPipe, modelErrors } from '../http/canvasValidationPipe';
import { bookmarkLinkHeader } from './bookmarkLinkHeader';
import { decodeBookmark, encodeBookmark, type RecipientBookmark } from './recipientBookmark';
import { contextRecipientJson, userRecipientJson } from './recipientJson';
import { SearchRecipientsDto } from './searchRecipientsDto';
import { isCanvasId } from '../http/canvasId';

const MAX_TERMS = 20;

/** Leading zeros dropped in the text, since ids may pass Number's exact range. */
const canonicalId = (id: string) => id.replace(/^0+(?=\d)/, '');
const ENROLLMENT_TYPES: Record<string, string> = {
  teachers: 'TeacherEnrollment',
  tas: 'TaEnrollment',
  students: 'StudentEnrollment',
  observers: 'ObserverEnrollment',
};

/** `course_N`, `course_N_students` (teachers, tas, observers) or `group_N`; else undefined. */
function scopeOf(code: string): RecipientScope | undefined {
  const m = /^(course|group)_(\d{1,16})(?:_([a-z]+))?$/.exec(code);
  if (!m) return undefined;
  const [, kind, id, role] = m;
  if (!role) return { kind: kind as 'course' | 'group', id: id! };
  const enrollmentType = ENROLLMENT_TYPES[role];
  if (kind !== 'course' || !enrollmentType) return undefined;
  return { kind: 'course', id: id!, enrollmentType };
}

type Entry = { context: RecipientContext } | { user: RecipientUser };

/**
 * Canvas's address-book search (SearchController#recipients): the caller's matching courses and
 * groups, then the users they may message, one bookmarked collection after the other. The
 * deprecated `conversations/find_recipients` answers identically, links included.
 */
@Controller('api/v1')
export class SearchController {
  constructor(
    private readonly search: RecipientSearch,
    private readonly users: UserQueries,
  ) {}

  @Get('search/recipients')
  recipients(
    @CurrentUser() caller: UserRecord,
    @Query(canvasValidationPipe(modelErrors)) query: SearchRecipientsDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.find(caller, query, req, res);
  }

  @Get('conversations/find_recipients')
  findRecipients(
    @CurrentUser() caller: UserRecord,
    @Query(canvasValidationPipe(modelErrors)) query: SearchRecipientsDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.find(caller, query, req, res);
  }

  private async find(
    caller: UserRecord,
    query: SearchRecipientsDto,
    req: FastifyRequest,
    res: FastifyReply,
  ): Promise<unknown[]> {
    const baseUrl = requestOrigin(req);
    if (query.user_id !== undefined) return this.knownUser(caller, query.user_id, baseUrl);
    const bookmark = decodeBookmark(query.page);
    if (bookmark === undefined) throw CanvasError.generic(400, 'bad_request');
    // Canvas searches only when asked to: without `search` or `context` the answer is empty.
    if (query.search === undefined && query.context === undefined) return [];

    const perPage = clampPerPage(query.per_page);
    // Each word costs several LIKEs and SQL bounds expression depth, so only the first few count.
    const terms = [
      ...new Set((query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean)),
    ].slice(0, MAX_TERMS);
    const exclude = query.exclude ?? [];
    const excludeScopes = exclude
      .map(scopeOf)
      .filter((s): s is RecipientScope => s !== undefined && !s.enrollmentType);
    const type = query.type;
    let scope: RecipientScope | undefined;
    if (query.context !== undefined) {
      scope = scopeOf(query.context);
      if (!scope) return this.page(caller, [], bookmark, false, perPage, req, res, baseUrl);
    }
    // Contexts are listed only at the top level; within a context Canvas lists its users.
    const wantContexts = (type === undefined || type === 'context') && !scope;
    const wantUsers = type === undefined || type === 'user';

    const entries: Entry[] = [];
    if (wantContexts && bookmark?.collection !== 'participants') {
      const contexts = await this.search.contexts(caller, {
        terms,
        excludeCourseIds: excludeScopes.filter((s) => s.kind === 'course').map((s) => s.id),
        excludeGroupIds: excludeScopes.filter((s) => s.kind === 'group').map((s) => s.id),
        after: bookmark?.collection === 'contexts' ? bookmark.after : undefined,
        limit: perPage + 1,
      });
      entries.push(...contexts.map((context) => ({ context })));
    }
    if (wantUsers && entries.length <= perPage) {
      const users = await this.search.users(caller, {
        terms,
        scope,
        excludeUserIds: exclude.filter(isCanvasId).map(canonicalId),
        after: bookmark?.collection === 'participants' ? bookmark.after : undefined,
        limit: perPage + 1 - entries.length,
      });
      entries.push(...users.map((user) => ({ user })));
    }
    return this.page(
      caller,
      entries,
      bookmark,
      perPage < entries.length,
      perPage,
      req,
      res,
      baseUrl,
    );
  }

  private async page(
    caller: UserRecord,
    entries: Entry[],
    bookmark: RecipientBookmark | null,
    more: boolean,
    perPage: number,
    req: FastifyRequest,
    res: FastifyReply,
    baseUrl: string,
  ): Promise<unknown[]> {
    const shown = entries.slice(0, perPage);
    const last = shown[shown.length - 1];
    const next =
      more && last
        ? encodeBookmark(
            'context' in last
              ? { collection: 'contexts', after: last.context }
              : { collection: 'participants', after: last.user },
          )
        : undefined;
    // Canvas builds these links from the search route even when the alias was called.
    const link = bookmarkLinkHeader(
      `${baseUrl}/api/v1/search/recipients`,
      req.query as Record<string, unknown>,
      { current: bookmark ? encodeBookmark(bookmark) : 'first', next },
      perPage,
    );
    if (link) res.header('Link', link);
    const userIds = shown.flatMap((e) => ('user' in e ? [e.user.id] : []));
    const common = await this.search.commonContexts(caller.id, userIds);
    return shown.map((e) =>
      'context' in e
        ? contextRecipientJson(e.context, baseUrl)
        : userRecipientJson(e.user, common.get(e.user.id)!, baseUrl),
    );
  }

  /** `user_id`: that one user if the caller may message them, unpaginated; unknown is a 404. */
  private async knownUser(caller: UserRecord, raw: string, baseUrl: string): Promise<unknown[]> {
    const id = raw === 'self' ? caller.id : raw;
    if (!isCanvasId(id)) throw CanvasError.notFound();
    const userId = canonicalId(id);
    if (!(await this.users.findById(userId))) throw CanvasError.notFound();
    const user = await this.search.knownUser(caller, userId);
    if (!user) return [];
    const common = await this.search.commonContexts(caller.id, [user.id]);
    return [userRecipientJson(user, common.get(user.id)!, baseUrl)];
  }
}
