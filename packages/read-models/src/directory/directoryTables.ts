/** Courses, enrollments, groups and memberships: who shares a context with whom. */
export interface CoursesTable {
  id: number | string;
  name: string;
  course_code: string;
  workflow_state: string;
  created_at: string;
}

export interface EnrollmentsTable {
  id: number | string;
  course_id: number | string;
  user_id: number | string;
  type: string;
  enrollment_state: string;
  created_at: string;
}

export interface GroupsTable {
  id: number | string;
  name: string;
  created_at: string;
}

export interface GroupMembershipsTable {
  id: number | string;
  group_id: number | string;
  user_id: number | string;
  created_at: string;
}

export interface DirectoryDatabase {
  courses: CoursesTable;
  enrollments: EnrollmentsTable;
  groups: GroupsTable;
  group_memberships: GroupMembershipsTable;
}
