import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { toCloudEvent } from '@missive/contracts';
import type { EventStore } from '@missive/event-store';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';
import { CanvasError } from '../http/canvasError';
import { EVENT_STORE } from '../infrastructure/tokens';
import { checkResumePosition } from './checkResumePosition';
import { parseEventFeedQuery } from './eventFeedQuery';

/** Proxies and load balancers drop idle streams; a comment line every so often keeps it open. */
const HEARTBEAT_MS = 15_000;

/**
 * The public event feed for services on any backend: Server-Sent Events whose data is a
 * CloudEvent, whose `id` is the log position (so EventSource's automatic `Last-Event-ID`
 * resumes exactly after the last event received). Site admins only: it shows every user's data.
 */
@Controller('api/v1/events')
export class EventFeedController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  async feed(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Promise<void> {
    if (!req.user.siteAdmin) throw CanvasError.unauthorized();
    const { from, eventTypes } = parseEventFeedQuery(query, lastEventId);
    await checkResumePosition(this.store, from);
    // The stream is written on the Node response: Fastify's reply is for one payload.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const subscription = this.store.subscribe({ fromPosition: from, filter: { eventTypes } });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      void subscription.close();
    };
    req.raw.on('close', stop);
    try {
      for await (const event of subscription) {
        const cloudEvent = toCloudEvent(event);
        const frame = `id: ${cloudEvent.position}\nevent: ${cloudEvent.type}\ndata: ${JSON.stringify(cloudEvent)}\n\n`;
        // Respect a slow reader instead of buffering the whole log in memory.
        if (!res.write(frame)) await new Promise((resolve) => res.once('drain', resolve));
        if (res.destroyed) break;
      }
    } finally {
      stop();
      res.end();
    }
  }
}
