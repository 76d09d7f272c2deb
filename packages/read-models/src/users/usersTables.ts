/** Row types of the users read model. Ids are BIGINT; booleans are 0/1 for SQLite parity. */
export interface UsersTable {
  id: number | string;
  name: string;
  short_name: string;
  sortable_name: string;
  login_id: string;
  site_admin: number;
  created_at: string;
}

export interface AccessTokensTable {
  token_hash: string;
  token_id: string;
  user_id: number | string;
  hint: string;
  purpose: string | null;
  created_at: string;
  expires_at: string | null;
}

export interface UsersDatabase {
  users: UsersTable;
  access_tokens: AccessTokensTable;
}
