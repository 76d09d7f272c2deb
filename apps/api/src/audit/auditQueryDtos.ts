import { IsOptional, IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** `GET .../history`: a page of the log after a bookmark. */
export class HistoryQueryDto {
  @IsOptional()
  @IsString()
  @JSONSchema({
    description:
      "`first` (default) or the `bookmark:<position>` the previous page's `next` link names.",
  })
  page?: string;

  @IsOptional()
  @JSONSchema({ description: 'Entries per page, 1..100 (default 10), read as Canvas reads it.' })
  per_page?: string;
}

/** `GET /api/v1/conversations/:id`: the query a show takes, with the audit's `as_of`. */
export class ShowConversationQueryDto {
  @IsOptional()
  @JSONSchema({
    description:
      "Site admins: the conversation as it stood at this ISO 8601 time, folded from the event log, for the request's user (with `as_user_id`, the participant seen through). 404 before the conversation or the participant existed; 401 for anyone else.",
    format: 'date-time',
  })
  as_of?: string;

  @IsOptional()
  @JSONSchema({ description: 'Canvas masquerading: act as this user (site admins).' })
  as_user_id?: string;

  @IsOptional()
  @JSONSchema({
    description: 'Default true: showing marks an unread conversation read (never with `as_of`).',
  })
  auto_mark_as_read?: string;

  @IsOptional()
  @JSONSchema({
    description: 'Default true: participants carry `common_courses` and `common_groups`.',
  })
  include_participant_contexts?: string;

  @IsOptional()
  @JSONSchema({ description: 'Only decides `visible`: unread, starred, archived or sent.' })
  scope?: string;
}
