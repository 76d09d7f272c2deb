import type { ProgressRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas's Progress JSON (lib/api/v1/progress.rb). */
export function progressJson(progress: ProgressRecord, baseUrl: string) {
  return {
    id: Number(progress.id),
    context_id: Number(progress.userId),
    context_type: 'User',
    user_id: Number(progress.userId),
    tag: progress.tag,
    completion: progress.completion,
    workflow_state: progress.workflowState,
    created_at: canvasTime(progress.createdAt),
    updated_at: canvasTime(progress.updatedAt),
    message: progress.message,
    url: `${baseUrl}/api/v1/progress/${progress.id}`,
  };
}
