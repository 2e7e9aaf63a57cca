import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Body, Controller, Get, Module, Post, UseFilters, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { apiSchemaId, createSchemaAjv } from '@radflow/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProblem } from './http-problem.ts';
import { FhirOperationOutcomeFilter, ProblemDetailsFilter } from './problem-details.filter.ts';

const problemSchema = createSchemaAjv().getSchema(apiSchemaId('problem.v1'))!;

@Controller()
class ThrowingController {
  @Post('overloaded')
  overloaded(): never {
    throw new HttpProblem({
      status: 429,
      code: 'OVERLOADED',
      detail: 'inference queue is full',
      retryAfterSeconds: 2,
      errors: [{ pointer: '/findings', detail: 'must be string' }],
      extensions: { retryAfterMs: 1500 },
    });
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('broken')
  broken(): never {
    throw new Error('Patient Jane Doe, accession ACC-1: cannot read properties of undefined');
  }

  @Post('fhir')
  @UseFilters(new FhirOperationOutcomeFilter())
  fhir(): never {
    throw new HttpProblem({ status: 401, code: 'MISSING_TOKEN', detail: 'bearer token required' });
  }
}

@Module({ controllers: [ThrowingController] })
class TestModule {}

let app: INestApplication;
let base: string;

beforeAll(async () => {
  app = await NestFactory.create(TestModule, { logger: false });
  app.useGlobalFilters(new ProblemDetailsFilter());
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(() => app?.close());

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  return { response, body: (await response.json()) as Record<string, unknown> };
}

describe('ProblemDetailsFilter', () => {
  it('answers an HttpProblem as application/problem+json with its code, errors, extensions and Retry-After', async () => {
    const { response, body } = await call('/overloaded', {
      method: 'POST',
      headers: { 'radflow-trace-id': 'trace-1' },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(body).toEqual({
      type: 'https://radflow.dev/problems/OVERLOADED',
      title: 'Too Many Requests',
      status: 429,
      detail: 'inference queue is full',
      code: 'OVERLOADED',
      traceId: 'trace-1',
      errors: [{ pointer: '/findings', detail: 'must be string' }],
      retryAfterMs: 1500,
    });
    expect(problemSchema(body), JSON.stringify(problemSchema.errors)).toBe(true);
  });

  it('answers anything else 500 INTERNAL without a word of the error', async () => {
    const { response, body } = await call('/broken');
    expect(response.status).toBe(500);
    expect(body).toMatchObject({ code: 'INTERNAL', detail: 'internal error' });
    expect(JSON.stringify(body)).not.toMatch(/Jane|ACC-1/);
    expect(problemSchema(body)).toBe(true);
  });

  it("answers the framework's own refusals by status, never quoting the path or the body", async () => {
    const missing = await call('/reports/ACC-1');
    expect(missing.response.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', title: 'Not Found' });
    expect(JSON.stringify(missing.body)).not.toContain('ACC-1');
    const malformed = await call('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"impression": "Jane Doe',
    });
    expect(malformed.response.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(JSON.stringify(malformed.body)).not.toContain('Jane');
    expect(problemSchema(malformed.body)).toBe(true);
  });

  it('answers on a FHIR route with an OperationOutcome made from the same problem', async () => {
    const { response, body } = await call('/fhir', { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'login', details: { text: 'MISSING_TOKEN: bearer token required' } },
      ],
    });
  });
});
