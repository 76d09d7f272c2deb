import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public';

/** Liveness for container health checks; readiness with projection lag comes with operability. */
@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
