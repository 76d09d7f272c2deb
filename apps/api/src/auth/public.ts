import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'missive:public';
/** Marks a route that needs no access token (health checks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
