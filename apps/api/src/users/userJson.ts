import type { UserRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas User JSON (the subset Missive knows). Ids are numbers on the wire. */
export function userJson(user: UserRecord) {
  return {
    id: Number(user.id),
    name: user.name,
    created_at: canvasTime(user.createdAt),
    sortable_name: user.sortableName,
    short_name: user.shortName,
    sis_user_id: null,
    integration_id: null,
    sis_import_id: null,
    login_id: user.loginId,
  };
}
