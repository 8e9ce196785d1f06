import type { QueryError } from '../../model/query-errors.js';
import type { QueryServiceModel } from '../../model/query-shape.js';

/** XML's five escapes, for text and attribute values alike. */
function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** ISO 8601 in UTC with no fraction, as IAM and STS write their timestamps (2024-01-31T12:00:00Z). */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A value of shape `name` as the elements inside its own element: members, <member> items, <entry> pairs. */
function encodeValue(model: QueryServiceModel, name: string, value: unknown): string {
  const s = model.shapes[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  switch (s.type) {
    case 'structure': {
      let xml = '';
      const record = value as Record<string, unknown>;
      for (const [member, shape] of Object.entries(s.members ?? {})) {
        const v = record[member];
        if (v === undefined || v === null) continue;
        xml += `<${member}>${encodeValue(model, shape, v)}</${member}>`;
      }
      return xml;
    }
    case 'list':
      return (value as unknown[]).map((item) => `<member>${encodeValue(model, s.member!, item)}</member>`).join('');
    case 'map':
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escape(k)}</key><value>${encodeValue(model, s.value!, v)}</value></entry>`).join('');
    case 'timestamp':
      return timestamp(value as Date);
    case 'blob':
      return (value as Buffer).toString('base64');
    default:
      return escape(String(value));
  }
}

/**
 * A successful answer: <XResponse xmlns="…"><XResult>members</XResult><ResponseMetadata><RequestId>…
 * (no result element for an operation without output).
 */
export function encodeQueryOutput(model: QueryServiceModel, operation: string, output: unknown, requestId: string): string {
  const def = model.operations[operation]!;
  const result = def.output && def.resultWrapper
    ? `<${def.resultWrapper}>${encodeValue(model, def.output, output ?? {})}</${def.resultWrapper}>`
    : '';
  return `<${operation}Response xmlns="${model.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

/** An error answer, as the query services write theirs. */
export function encodeQueryError(model: QueryServiceModel, error: QueryError, requestId: string): string {
  return `<ErrorResponse xmlns="${model.xmlNamespace}"><Error><Type>${error.sender ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escape(error.code)}</Code><Message>${escape(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
}
