import { Controller, Get, Inject, Param, Res, UseFilters, UseGuards } from '@nestjs/common';
import { HttpProblem } from '@radflow/platform';
import type { Response } from 'express';
import { WebAssets } from '../web-assets.ts';
import { appShell } from './pages.ts';
import { RedirectToSignIn, SessionGuard } from './session.guard.ts';

/** The page (signed-in users; others are sent to /login) and its bundled script and style sheet. */
@Controller()
export class PageController {
  constructor(@Inject(WebAssets) private readonly assets: WebAssets) {}

  @Get()
  @UseGuards(SessionGuard)
  @UseFilters(RedirectToSignIn)
  list(@Res() response: Response): void {
    response.type('html').send(appShell());
  }

  @Get('reports/:id')
  @UseGuards(SessionGuard)
  @UseFilters(RedirectToSignIn)
  report(@Res() response: Response): void {
    response.type('html').send(appShell());
  }

  /** The bundle holds no data: served to anyone (the sign-in form uses the style sheet). */
  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw new HttpProblem({ status: 404, code: 'NOT_FOUND', detail: 'no such asset' });
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('etag', asset.etag);
    response.type(asset.contentType).send(asset.body);
  }
}
