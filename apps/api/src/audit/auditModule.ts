import { Module } from '@nestjs/common';
import { AuditController } from './auditController';
import { HistoryHandler } from './historyQuery';

/** The audit history endpoints (the `as_of` show lives with the conversations' show route). */
@Module({
  controllers: [AuditController],
  providers: [HistoryHandler],
})
export class AuditModule {}
