/** The JobLeaseSettings of this process's job runner. */
export const JOB_LEASE = Symbol('JOB_LEASE');
