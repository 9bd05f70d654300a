import { describe, expect, it } from 'vitest';
import { ok, type Generator } from '../../controller/generators/generator.ts';
import { odataGenerator } from '../../controller/generators/odata/odata-generator.ts';
import { createSpecModels } from '../../controller/generators/spec-models.ts';
import { fixture } from './support.ts';

const sales = fixture('sales-v2.edmx');
const edited = (): Uint8Array => new TextEncoder().encode(new TextDecoder().decode(sales).replace('GetOpenOrders', 'GetOpenOrders2'));

/** A generator whose model is the bytes as text, counting its own parses. */
function echoGenerator(failFirst = false): Generator<string> & { calls: number } {
  return {
    system: 'openapi',
    version: '0.0.1',
    runtime: [],
    calls: 0,
    async parse(bytes) {
      this.calls++;
      if (failFirst && this.calls === 1) throw new Error('a bug');
      return ok(new TextDecoder().decode(bytes));
    },
    describe: () => ({ format: 'echo', entities: [], functions: [] }),
    generate: () => ({ ok: false, problems: [] }),
  };
}

describe('createSpecModels', () => {
  it('parses a specification once for requests at the same time and later, and hands out the same model', async () => {
    const models = createSpecModels();
    const [a, b] = await Promise.all([models.model(odataGenerator, sales, { path: 'specs/a.edmx' }), models.model(odataGenerator, sales, { path: 'specs/b.edmx' })]);
    const c = await models.model(odataGenerator, new Uint8Array(sales), {});
    expect(models.parses).toBe(1);
    if (!a.ok || !b.ok || !c.ok) throw new Error('parse failed');
    expect(b.value).toBe(a.value);
    expect(c.value).toBe(a.value);
  });

  it.each([
    ['a changed byte', edited(), {}],
    ['another odataVersion', sales, { odataVersion: 'v2' as const }],
  ])('parses again for %s', async (_name, bytes, options) => {
    const models = createSpecModels();
    await models.model(odataGenerator, sales, {});
    await models.model(odataGenerator, bytes, options);
    expect(models.parses).toBe(2);
  });

  it('keeps, after rotate(), only the models the pass asked for', async () => {
    const models = createSpecModels();
    const generator = echoGenerator();
    const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
    await models.model(generator, bytes('a'), {});
    await models.model(generator, bytes('b'), {});
    models.rotate();
    await models.model(generator, bytes('a'), {});
    models.rotate();
    expect(models.size).toBe(1);
    await models.model(generator, bytes('a'), {});
    await models.model(generator, bytes('b'), {});
    expect(generator.calls).toBe(3);
  });

  it('does not keep a parse that threw', async () => {
    const models = createSpecModels();
    const generator = echoGenerator(true);
    await expect(models.model(generator, new Uint8Array([0x61]), {})).rejects.toThrow('a bug');
    expect(await models.model(generator, new Uint8Array([0x61]), {})).toEqual(ok('a'));
    expect(generator.calls).toBe(2);
  });
});
