import { commsTagsProblem } from '@missive/domain';
import { Exclude, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsRFC3339,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CONTENT_ID,
  E164,
  MEMORY_STORE_ID,
  PROFILE_ID,
  RECIPIENT_CHANNELS,
  SENDER_CHANNELS,
} from './commsPatterns';
import { IsStringMap, Unsupported } from './commsValidation';

const E164_MESSAGE = { message: 'must be an E.164 phone number such as +14155550100' };
const given = (...values: unknown[]) => values.filter((v) => v !== undefined).length;

export class RecipientAddressDto {
  @IsString()
  @Matches(E164, E164_MESSAGE)
  address!: string;

  @IsIn(RECIPIENT_CHANNELS)
  channel!: (typeof RECIPIENT_CHANNELS)[number];
}

/** One `to` entry: an address, a list to choose from, or a Memory profile. */
export class RecipientDto {
  @ValidateIf((o: RecipientDto) => given(o.address, o.channel) > 0)
  @IsString()
  @Matches(E164, E164_MESSAGE)
  address?: string;

  @ValidateIf((o: RecipientDto) => given(o.address, o.channel) > 0)
  @IsIn(RECIPIENT_CHANNELS)
  channel?: (typeof RECIPIENT_CHANNELS)[number];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => RecipientAddressDto)
  addresses?: RecipientAddressDto[];

  @ValidateIf((o: RecipientDto) => given(o.profileId, o.memoryStoreId) > 0)
  @Matches(PROFILE_ID)
  profileId?: string;

  @ValidateIf((o: RecipientDto) => given(o.profileId, o.memoryStoreId) > 0)
  @Matches(MEMORY_STORE_ID)
  memoryStoreId?: string;

  @IsOptional()
  @IsStringMap({ maxEntries: 100, maxLength: 1600 })
  variables?: Record<string, string>;

  @Equals(1, {
    message: 'must be one of {address, channel}, {addresses} or {profileId, memoryStoreId}',
  })
  @Exclude({ toClassOnly: true }) // never taken from the input
  get recipientForm(): number {
    return given(
      this.address ?? this.channel,
      this.addresses,
      this.profileId ?? this.memoryStoreId,
    );
  }
}

export class MediaDto {
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false })
  url!: string;
}

/** `{text?, media?}` is served; templates (`contentId`) and `modules` are not (README). */
export class ContentDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1600)
  text?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => MediaDto)
  media?: MediaDto[];

  @IsOptional()
  @Matches(CONTENT_ID)
  @Unsupported('content templates (contentId) are not supported by this service')
  contentId?: string;

  @IsOptional()
  @Unsupported('content modules are not supported by this service; send text and media')
  modules?: unknown;

  @Equals(1, { message: 'must be one of {text, media}, {contentId} or {modules}' })
  @Exclude({ toClassOnly: true }) // never taken from the input
  get contentForm(): number {
    return given(this.text ?? this.media, this.contentId, this.modules);
  }
}

/** `{address, channel}`; sender ids and pools need a sender registry this service lacks. */
export class SenderDto {
  @ValidateIf((o: SenderDto) => given(o.address, o.channel) > 0)
  @IsString()
  @Matches(E164, E164_MESSAGE)
  address?: string;

  @ValidateIf((o: SenderDto) => given(o.address, o.channel) > 0)
  @IsIn(SENDER_CHANNELS)
  channel?: (typeof SENDER_CHANNELS)[number];

  @IsOptional()
  @Unsupported('senderId is not supported by this service; give {address, channel}')
  senderId?: string;

  @IsOptional()
  @Unsupported('senderPoolId is not supported by this service; give {address, channel}')
  senderPoolId?: string;

  @IsOptional()
  @Unsupported('channels is only meaningful with a sender pool')
  channels?: unknown;

  @Equals(1, { message: 'must be one of {address, channel}, {senderId} or {senderPoolId}' })
  @Exclude({ toClassOnly: true }) // never taken from the input
  get senderForm(): number {
    return given(this.address ?? this.channel, this.senderId, this.senderPoolId);
  }
}

export class ScheduleDto {
  /** The spec's `sendAt` is a list whose first entry counts; a bare string is taken as one. */
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @IsRFC3339({ each: true })
  sendAt!: string[];
}

const CommsTags = () =>
  ValidateBy({
    name: 'commsTags',
    validator: {
      validate: (value: unknown) =>
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        commsTagsProblem(value as Record<string, unknown>) === null,
      defaultMessage: (args) =>
        args?.value && typeof args.value === 'object'
          ? (commsTagsProblem(args.value as Record<string, unknown>) ?? 'must be an object')
          : 'must be an object of at most 10 key/value pairs',
    },
  });

/** `POST /v1/Messages`. */
export class SendMessagesDto {
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => RecipientDto)
  to!: RecipientDto[];

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ContentDto)
  content!: ContentDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SenderDto)
  from?: SenderDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleDto)
  schedule?: ScheduleDto;

  @IsOptional()
  @CommsTags()
  tags?: Record<string, string>;
}
