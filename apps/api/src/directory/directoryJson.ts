import type {
  CourseRecord,
  EnrollmentRecord,
  GroupRecord,
  MembershipRecord,
  UserRecord,
} from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Missive has one root account, id 1, as a fresh Canvas does. */
const ROOT_ACCOUNT_ID = 1;

export function courseJson(course: CourseRecord) {
  return {
    id: Number(course.id),
    name: course.name,
    account_id: ROOT_ACCOUNT_ID,
    root_account_id: ROOT_ACCOUNT_ID,
    course_code: course.courseCode,
    workflow_state: course.workflowState,
    created_at: canvasTime(course.createdAt),
    start_at: null,
    end_at: null,
    sis_course_id: null,
    integration_id: null,
    is_public: false,
    default_view: 'modules',
    enrollment_term_id: 1,
  };
}

export function enrollmentJson(enrollment: EnrollmentRecord, user: UserRecord) {
  return {
    id: Number(enrollment.id),
    course_id: Number(enrollment.courseId),
    user_id: Number(enrollment.userId),
    type: enrollment.type,
    role: enrollment.type,
    enrollment_state: enrollment.enrollmentState,
    created_at: canvasTime(enrollment.createdAt),
    updated_at: canvasTime(enrollment.createdAt),
    root_account_id: ROOT_ACCOUNT_ID,
    associated_user_id: null,
    limit_privileges_to_course_section: false,
    user: {
      id: Number(user.id),
      name: user.name,
      sortable_name: user.sortableName,
      short_name: user.shortName,
      login_id: user.loginId,
    },
  };
}

export function groupJson(group: GroupRecord) {
  return {
    id: Number(group.id),
    name: group.name,
    description: null,
    is_public: false,
    join_level: 'invitation_only',
    members_count: group.membersCount,
    context_type: 'Account',
    account_id: ROOT_ACCOUNT_ID,
    group_category_id: null,
    created_at: canvasTime(group.createdAt),
  };
}

export function membershipJson(membership: MembershipRecord) {
  return {
    id: Number(membership.id),
    group_id: Number(membership.groupId),
    user_id: Number(membership.userId),
    workflow_state: 'accepted',
    moderator: false,
    just_created: true,
    sis_import_id: null,
  };
}
