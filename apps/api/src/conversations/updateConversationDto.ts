import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { toBoolean } from './createConversationDto';
import { MessageMediaDto } from './messageMediaDto';

export class ConversationParams {
  @IsOptional()
  @IsIn(['read', 'unread', 'archived'])
  workflow_state?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  subscribed?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  starred?: boolean;
}

/** `PUT /api/v1/conversations/:id`: only `conversation[workflow_state|subscribed|starred]`. */
export class UpdateConversationDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConversationParams)
  conversation?: ConversationParams;

  @IsOptional()
  @IsString()
  scope?: string;
}

/** `POST /api/v1/conversations/:id/add_message`: `body`, `recipients[]`, media, attachments. */
export class AddMessageDto extends MessageMediaDto {
  @IsOptional()
  @IsString()
  body?: string;

  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : value,
  )
  @IsArray()
  @IsString({ each: true })
  recipients?: string[];

  /** Earlier messages of this conversation to forward with the new one. */
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' || typeof value === 'number'
      ? [String(value)]
      : Array.isArray(value)
        ? value.map(String)
        : value,
  )
  @IsArray()
  @IsString({ each: true })
  included_messages?: string[];
}

const toIdList = ({ value }: { value: unknown }) =>
  typeof value === 'string' || typeof value === 'number'
    ? String(value).split(',')
    : Array.isArray(value)
      ? value.map((v) => (typeof v === 'number' ? String(v) : v))
      : value;

/** `POST /api/v1/conversations/:id/add_recipients`: `recipients[]`. */
export class AddRecipientsDto {
  @IsOptional()
  @Transform(toIdList)
  @IsArray()
  @IsString({ each: true })
  recipients?: string[];
}

/** `POST /api/v1/conversations/:id/remove_messages`: `remove[]` (message ids). */
export class RemoveMessagesDto {
  @IsOptional()
  @Transform(toIdList)
  @IsArray()
  @IsString({ each: true })
  remove?: string[];
}
