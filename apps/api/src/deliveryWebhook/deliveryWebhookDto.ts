import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

export const DELIVERY_REPORT_EVENTS = ['delivered', 'bounced', 'undelivered'] as const;
export type DeliveryReportEvent = (typeof DELIVERY_REPORT_EVENTS)[number];

/** One provider report about one message. */
export class DeliveryReportDto {
  /** The outbound id (`comms_message_<id>` and `<id@missive>` accepted), or the provider's id. */
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  messageId!: string;

  @IsIn(DELIVERY_REPORT_EVENTS)
  event!: DeliveryReportEvent;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  /** When it happened at the provider; the time of receipt when absent. */
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class DeliveryWebhookDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DeliveryReportDto)
  events!: DeliveryReportDto[];
}
