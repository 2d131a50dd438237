/**
 * Every leaf key of a zod (v4) schema as a dotted path, in the notation of docs/configuration.md:
 * `a.b`, `list[].key`, and `list[TYPE].key` for the members of a discriminated union.
 * Reads zod's own definition objects (`_zod.def`), so a key added to the schema shows up here
 * without anyone listing it.
 */
type Schema = { _zod: { def: Record<string, any> } };

export function schemaKeys(schema: unknown, path = '', out: string[] = []): string[] {
  const d = (schema as Schema)._zod.def;
  switch (d.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return schemaKeys(d.innerType, path, out);
    case 'pipe':
      // z.preprocess(fn, schema) is a pipe from a transform into the real schema.
      return schemaKeys(d.out, path, out);
    case 'object':
      for (const [k, v] of Object.entries(d.shape as Record<string, unknown>)) schemaKeys(v, path ? `${path}.${k}` : k, out);
      return out;
    case 'array': {
      const inner = (d.element as Schema)._zod.def.type;
      if (inner === 'object' || inner === 'union') return schemaKeys(d.element, `${path}[]`, out);
      out.push(path);
      return out;
    }
    case 'union':
      if (typeof d.discriminator === 'string') {
        for (const o of d.options as Schema[]) {
          const tag = (o._zod.def.shape[d.discriminator] as Schema)._zod.def.values[0] as string;
          schemaKeys(o, path.replace(/\[\]$/, `[${tag}]`), out);
        }
        return out;
      }
      out.push(path);
      return out;
    default:
      out.push(path);
      return out;
  }
}
