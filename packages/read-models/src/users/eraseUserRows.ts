import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import type { Transaction } from 'kysely';
import type { UsersDatabase } from './usersTables';

/**
 * An erased user keeps their row (conversations still name their id) with the placeholders
 * the log now reads as, and loses every token: they can no longer sign in.
 */
export async function eraseUserRows(tx: Transaction<UsersDatabase>, userId: string) {
  await tx
    .updateTable('users')
    .set({
      name: ERASED_PLACEHOLDERS.name,
      short_name: ERASED_PLACEHOLDERS.name,
      sortable_name: ERASED_PLACEHOLDERS.name,
      login_id: ERASED_PLACEHOLDERS.loginId,
    })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('access_tokens').where('user_id', '=', userId).execute();
}
