import { Module } from '@nestjs/common';
import { RecipientSearch, type SchemalessDb } from '@missive/read-models';
import { READ_DB } from '../infrastructure/tokens';
import { SearchController } from './searchController';

@Module({
  controllers: [SearchController],
  providers: [
    {
      provide: RecipientSearch,
      useFactory: (db: SchemalessDb) => new RecipientSearch(db),
      inject: [READ_DB],
    },
  ],
})
export class SearchModule {}
