import { Module } from '@nestjs/common';
import { DeliveryWebhookController } from './deliveryWebhookController';

@Module({ controllers: [DeliveryWebhookController] })
export class DeliveryWebhookModule {}
