import { canvasTime } from '../http/canvasTime';

export interface TokenView {
  id: string;
  userId: string;
  purpose: string | null;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
}

/** Canvas's AccessToken JSON; `visible_token` only in the answer that issued it. */
export function tokenJson(token: TokenView, visibleToken?: string) {
  return {
    id: Number(token.id),
    user_id: Number(token.userId),
    purpose: token.purpose,
    app_name: 'user-generated',
    created_at: canvasTime(token.createdAt),
    updated_at: canvasTime(token.createdAt),
    expires_at: canvasTime(token.expiresAt),
    last_used_at: null,
    workflow_state: 'active',
    scopes: null,
    real_user_id: null,
    can_manually_regenerate: true,
    token_hint: token.hint,
    ...(visibleToken ? { visible_token: visibleToken } : {}),
  };
}
